-- name: notion_login_followed_by_account_change
-- title: Notion login then account change by {entity}
-- severity: 50
-- window: 1800m
-- about: Panther's Notion.Login.WITH.AccountChange: a group rule; a login
--   and an account change by the same actor within 1800 minutes.
-- expects: login, accountchange (the Panther group ids as kinds, the match
--   value in `user`)
select 'user' as entity_kind,
       l.user as entity,
       array_distinct(array_concat(array_agg(l.finding_id), array_agg(c.finding_id))) as finding_ids,
       50 as score
from findings l
join findings c on c.user = l.user
where l.kind = 'login'
  and c.kind = 'accountchange'
  and c.time between l.time - interval '1800 minutes' and l.time + interval '1800 minutes'
group by l.user
