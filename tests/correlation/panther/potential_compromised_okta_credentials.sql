-- name: potential_compromised_okta_credentials
-- title: Compromised Okta credentials of {entity}
-- severity: 90
-- window: 1800m
-- about: Panther's Potential.Compromised.Okta.Credentials.Group: a login
--   without the Push marker and a Push phishing detection for the same
--   user within 1800 minutes.
-- expects: login_without_push_marker, push_phishing (the Panther group ids
--   as kinds, the match value in `user`)
select 'user' as entity_kind,
       l.user as entity,
       array_distinct(array_concat(array_agg(l.finding_id), array_agg(p.finding_id))) as finding_ids,
       90 as score
from findings l
join findings p on p.user = l.user
where l.kind = 'login_without_push_marker'
  and p.kind = 'push_phishing'
  and p.time between l.time - interval '1800 minutes' and l.time + interval '1800 minutes'
group by l.user
