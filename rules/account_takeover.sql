-- name: account_takeover
-- title: Account takeover of {entity}
-- severity: 90
-- window: 72h
-- about: for one user within 72 hours, an identity anomaly together with
--   any sign that the account is being used or prepared by someone else;
--   linked through the user, or through a domain or IP the findings share
--   (a phishing domain hosted on the IP the hijacked login came from).
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
-- Three equi-joins rather than one join on `a or b or c`, so each is a
-- hash join: a join on a disjunction is a nested loop over every pair.
linked as (
    select i.user, i.time, i.finding_id as anomaly_id, f.finding_id as follow_up_id, f.time as follow_up_time
    from identity i join follow_up f on f.user = i.user
    union all
    select i.user, i.time, i.finding_id, f.finding_id, f.time
    from identity i join follow_up f on f.domain = i.domain
    union all
    select i.user, i.time, i.finding_id, f.finding_id, f.time
    from identity i join follow_up f on f.ip = i.ip
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
