-- name: account_takeover
-- title: Account takeover of {entity}
-- severity: 90
-- window: 72h
-- about: for one user within 72 hours, an identity anomaly together with
--   any sign that the account is being used or prepared by someone else;
--   linked through the user, through a domain or IP the findings share, or
--   through a finding's domain served from the anomaly's IP (a phishing
--   domain hosted where the hijacked login came from). An IP many users
--   log in from (an office, a proxy) links nothing.
-- expects: identity anomaly: impossible_travel.* (new_country, speed), or
--   any finding whose kind, attrs key or attrs value names an unusual login
-- expects: follow-up: email_link.* (suspicious link), rare_domain.* (rare
--   domain from their device), account_change.* (MFA change),
--   inbox_rule.* (hiding or forwarding rule), outbound_mail.* (unusual
--   outbound mail)
with identity as (
    select finding_id, time, user, domain, ip
    from findings
    where user is not null
      and (kind like 'impossible_travel%'
        or kind like '%unusual_login%'
        or array_to_string(map_keys(attrs), ' ') like '%unusual_login%'
        or lower(array_to_string(map_values(attrs), ' ')) like '%unusual login%')
),
follow_up as (
    select finding_id, time, user, domain, ip
    from findings
    where kind like 'email_link.%'
       or kind like 'rare_domain.%'
       or kind like 'account_change.%'
       or kind like 'inbox_rule.%'
       or kind like 'outbound_mail.%'
),
-- Addresses more than three users logged in from in the window: shared
-- by many, they say nothing about who is behind a login.
shared_ip as (
    select src_ip as ip
    from events
    where kind like 'auth.%' and src_ip is not null and user is not null
    group by src_ip
    having count(distinct user) > 3
),
distinct_ip as (
    select * from identity where ip not in (select ip from shared_ip)
),
-- Follow-up findings whose domain the window's connections show served
-- from an address.
hosted as (
    select distinct f.finding_id, f.time, e.dst_ip as ip
    from follow_up f
    join events e on e.domain = f.domain
    where e.kind in ('tls.session', 'http.request') and e.dst_ip is not null
),
-- Equi-joins rather than one join on `a or b or c`, so each is a hash
-- join: a join on a disjunction is a nested loop over every pair.
linked as (
    select i.user, i.time, i.finding_id as anomaly_id, f.finding_id as follow_up_id, f.time as follow_up_time
    from identity i join follow_up f on f.user = i.user
    union all
    select i.user, i.time, i.finding_id, f.finding_id, f.time
    from identity i join follow_up f on f.domain = i.domain
    union all
    select i.user, i.time, i.finding_id, f.finding_id, f.time
    from distinct_ip i join follow_up f on f.ip = i.ip
    union all
    select i.user, i.time, i.finding_id, h.finding_id, h.time
    from distinct_ip i join hosted h on h.ip = i.ip
),
pairs as (
    select user, anomaly_id, follow_up_id
    from linked
    where follow_up_time between time - interval '72 hours' and time + interval '72 hours'
)
select 'user' as entity_kind,
       user as entity,
       array_distinct(array_concat(array_agg(anomaly_id), array_agg(follow_up_id))) as finding_ids,
       least(100, 70 + 5 * count(distinct follow_up_id)) as score
from pairs
group by user
