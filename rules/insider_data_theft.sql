-- name: insider_data_theft
-- title: Data theft by {entity}
-- severity: 80
-- window: 24h
-- about: an unusual login followed, within 24 hours, by the same user
--   downloading an externally shared or sensitive file; a download the
--   detector itself tied to a login from a new place, or made by an account
--   that left the organisation, is both at once.
-- expects: unusual login: impossible_travel.*, or any finding whose kind,
--   attrs key or attrs value names an unusual login, or an
--   insider_download.* finding naming its new login (`new_login_event`) or
--   about a departed user
-- expects: insider_download.* (a download of an externally shared or
--   sensitive file)
with login as (
    select finding_id, time, user
    from findings
    where user is not null
      and (kind like 'impossible_travel%'
        or kind like '%unusual_login%'
        or array_to_string(map_keys(attrs), ' ') like '%unusual_login%'
        or lower(array_to_string(map_values(attrs), ' ')) like '%unusual login%'
        or (kind like 'insider_download.%'
            and (kind = 'insider_download.departed_user'
              or array_has(map_keys(attrs), 'new_login_event'))))
),
download as (
    select finding_id, time, user
    from findings
    where kind like 'insider_download.%'
)
select 'user' as entity_kind,
       l.user as entity,
       array_distinct(array_concat(array_agg(l.finding_id), array_agg(d.finding_id))) as finding_ids,
       85 as score
from login l
join download d on d.user = l.user
where d.time >= l.time and d.time <= l.time + interval '24 hours'
group by l.user
