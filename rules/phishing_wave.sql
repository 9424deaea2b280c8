-- name: phishing_wave
-- title: Phishing wave through {entity}
-- severity: 70
-- window: 24h
-- about: three or more users or devices reaching the same rare domain, or
--   clicking links to it, within 24 hours.
-- expects: rare_domain.* (a device or user reaching a rare domain),
--   email_link.* (a suspicious link received or clicked); both with their
--   `domain`
select 'domain' as entity_kind,
       domain as entity,
       array_agg(finding_id) as finding_ids,
       least(100, 40 + 10 * count(distinct coalesce(user, device))) as score
from findings
where domain is not null
  and (kind like 'rare_domain.%' or kind like 'email_link.%')
group by domain
having count(distinct coalesce(user, device)) >= 3
   and max(time) - min(time) <= interval '24 hours'
