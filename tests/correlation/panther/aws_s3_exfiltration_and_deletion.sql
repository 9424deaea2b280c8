-- name: aws_s3_exfiltration_and_deletion
-- title: Bucket {entity} copied out and emptied
-- severity: 95
-- window: 1800m
-- about: Panther's S3 exfiltration and deletion: a group rule with match
--   counts; at least ten copies to an external bucket and ten deletions in
--   the same bucket within 1800 minutes.
-- expects: bulk_exfiltration, bulk_deletion (the Panther group ids as
--   kinds, the bucket name in `user`)
with copies as (
    select user, count(distinct finding_id) as n, min(time) as first, max(time) as last,
           array_agg(finding_id) as ids
    from findings where kind = 'bulk_exfiltration' group by user
),
deletions as (
    select user, count(distinct finding_id) as n, min(time) as first, max(time) as last,
           array_agg(finding_id) as ids
    from findings where kind = 'bulk_deletion' group by user
)
select 'bucket' as entity_kind,
       c.user as entity,
       array_concat(c.ids, d.ids) as finding_ids,
       95 as score
from copies c
join deletions d on d.user = c.user
where c.n >= 10 and d.n >= 10
  and greatest(c.last, d.last) - least(c.first, d.first) <= interval '1800 minutes'
