-- name: repeated_hiding_rules
-- title: Repeated mail-hiding rules by {entity}
-- severity: 60
-- window: 24h
-- about: a test rule for runs over logs with no identity detector: two or
--   more hiding inbox rules by one user within 24 hours.
-- expects: inbox_rule.hiding
select 'user' as entity_kind,
       user as entity,
       array_agg(finding_id) as finding_ids,
       60 as score
from findings
where kind = 'inbox_rule.hiding' and user is not null
group by user
having count(*) >= 2 and max(time) - min(time) <= interval '24 hours'
