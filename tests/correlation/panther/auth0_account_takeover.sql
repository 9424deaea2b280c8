-- name: auth0_account_takeover
-- title: Auth0 new admin invited, then tenant members deleted, by {entity}
-- severity: 70
-- window: 1800m
-- about: Panther's Auth0.AdminInvited.WITH.TenantMemberDeletion: a group
--   rule; one admin invitation and at least two member deletions by the
--   same actor within 1800 minutes.
-- expects: createadmin, deleteuser (the Panther group ids as kinds, the
--   match value in `user`)
select 'user' as entity_kind,
       c.user as entity,
       array_distinct(array_concat(array_agg(c.finding_id), array_agg(d.finding_id))) as finding_ids,
       70 as score
from findings c
join findings d on d.user = c.user
where c.kind = 'createadmin'
  and d.kind = 'deleteuser'
  and d.time between c.time - interval '1800 minutes' and c.time + interval '1800 minutes'
group by c.user
having count(distinct d.finding_id) >= 2
