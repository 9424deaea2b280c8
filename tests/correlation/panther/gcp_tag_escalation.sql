-- name: gcp_tag_escalation
-- title: GCP tag-based privilege escalation by {entity}
-- severity: 80
-- window: 1800m
-- about: Panther's GCP tag escalation: a group rule of three members; tag
--   enumeration, a tag binding and a privileged operation by the same
--   principal within 1800 minutes.
-- expects: enumeration, tagbinding, privilegedoperation (the Panther group
--   ids as kinds, the match value in `user`)
with steps as (
    select user, kind, finding_id, time
    from findings
    where kind in ('enumeration', 'tagbinding', 'privilegedoperation')
)
select 'user' as entity_kind,
       user as entity,
       array_agg(finding_id) as finding_ids,
       80 as score
from steps
group by user
having count(distinct kind) = 3
   and max(time) - min(time) <= interval '1800 minutes'
