-- name: okta_login_without_push
-- title: Okta login without Push Security verification for {entity}
-- severity: 90
-- window: 1800m
-- about: Panther's Okta.Login.Without.Push.Group: a group rule with an
--   absent member; an Okta login with no Push authorization for the same
--   user within 1800 minutes.
-- expects: okta, push (the Panther group ids as kinds, the match value in
--   `user`)
select 'user' as entity_kind,
       o.user as entity,
       array_agg(distinct o.finding_id) as finding_ids,
       90 as score
from findings o
left join findings p
  on p.user = o.user
 and p.kind = 'push'
 and p.time between o.time - interval '1800 minutes' and o.time + interval '1800 minutes'
where o.kind = 'okta'
group by o.user
having count(p.finding_id) = 0
