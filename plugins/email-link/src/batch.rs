//! One `detect` call, in three steps:
//!
//! 1. **learn**: every sender, sender domain and site in the batch is
//!    recorded with its earliest time ([`Knowledge`]);
//! 2. **record**: what can still lead to a finding is kept ([`Pending`]):
//!    messages from new senders after learning, links and clicks to sites
//!    that were new at the time, recipients' visits to such sites;
//! 3. **judge**: each message the batch touched (a row, a link or a click
//!    of it, or a visit to a site it links to) is reported for each
//!    recipient and new site not reported yet.
//!
//! Learning the whole batch before judging, and judging against event
//! times, makes the findings independent of how rows are split into
//! batches, as long as each row arrives within the hour of slack.

use std::collections::BTreeSet;

use palisade_sdk::{Context, Error, Findings};

use crate::config::Config;
use crate::judge::{self, Assessment, Reached};
use crate::knowledge::{Clock, Item, Knowledge};
use crate::observe::{Click, Direction, Link, MessageRow, Observation, Visit};
use crate::pending::{HOUR, Message, MessageState, Pending, Recipient};

/// How late a row of a message may arrive after the message and still be
/// joined to it, and how far a visit may precede the message's time (the
/// clocks of mail and network sources differ a little).
pub(crate) const SLACK: i64 = HOUR;
/// How far before the message a click or visit still counts: the mail
/// system stamps a message a little after the recipient can open it.
const CLOCK_SKEW: i64 = 5 * 60_000_000;

/// The working set of one call.
pub(crate) struct Batch<'c> {
    config: &'c Config,
    clock: Clock,
    knowledge: Knowledge,
    pending: Pending,
    /// Messages this batch showed will never be reported.
    quiet: BTreeSet<String>,
}

impl<'c> Batch<'c> {
    pub(crate) fn new(config: &'c Config, clock: Clock) -> Self {
        Batch {
            config,
            clock,
            knowledge: Knowledge::default(),
            pending: Pending::default(),
            quiet: BTreeSet::new(),
        }
    }

    /// Learns every sighting in `observations`.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when stored knowledge is unreadable.
    pub(crate) fn learn(
        &mut self,
        ctx: &mut Context,
        observations: &[Observation],
    ) -> Result<(), Error> {
        for observation in observations {
            match observation {
                Observation::Message(row) => self.learn_correspondents(ctx, row)?,
                Observation::Link(_, link) => self.learn_site(ctx, &link.site, link.time)?,
                Observation::Click(_, click) => self.learn_site(ctx, &click.site, click.time)?,
                Observation::Visit(visit) => self.learn_site(ctx, &visit.site, visit.time)?,
            }
        }
        Ok(())
    }

    /// The sender of received mail, or the recipients of sent mail: the
    /// organisation has corresponded with them.
    fn learn_correspondents(&mut self, ctx: &mut Context, row: &MessageRow) -> Result<(), Error> {
        let addresses = match row.direction {
            Direction::Outbound => row.recipients.clone(),
            _ => row.sender.iter().cloned().collect(),
        };
        for address in addresses {
            self.knowledge
                .learn(ctx, Item::Sender, &address, row.time)?;
            let domain = address
                .rsplit_once('@')
                .and_then(|(_, d)| crate::site::host_of(d))
                .map(|d| crate::site::registered_domain(&d));
            let domain = match row.direction {
                Direction::Outbound => domain,
                _ => row.sender_domain.clone().or(domain),
            };
            if let Some(domain) = domain {
                self.knowledge
                    .learn(ctx, Item::SenderDomain, &domain, row.time)?;
            }
        }
        Ok(())
    }

    fn learn_site(&mut self, ctx: &mut Context, site: &str, time: i64) -> Result<(), Error> {
        self.knowledge.learn(ctx, Item::Site, site, time)
    }

    /// Keeps what can still lead to a finding; returns the messages to
    /// judge.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when stored state is unreadable.
    pub(crate) fn record(
        &mut self,
        ctx: &mut Context,
        observations: Vec<Observation>,
    ) -> Result<BTreeSet<String>, Error> {
        let mut touched = BTreeSet::new();
        let mut visited = BTreeSet::new();
        // Messages first, so the links of a message this batch shows to be
        // quiet are not kept.
        let (messages, others): (Vec<_>, Vec<_>) = observations
            .into_iter()
            .partition(|o| matches!(o, Observation::Message(_)));
        for observation in messages.into_iter().chain(others) {
            match observation {
                Observation::Message(row) => {
                    if let Some(id) = self.record_message(ctx, row)? {
                        touched.insert(id);
                    }
                }
                Observation::Link(Some(id), link) => {
                    if self.record_link(ctx, &id, link)? {
                        touched.insert(id);
                    }
                }
                Observation::Link(None, _) => {}
                Observation::Click(id, click) => {
                    if self.record_click(ctx, &id, click)? {
                        touched.insert(id);
                    }
                }
                Observation::Visit(visit) => {
                    if let Some(site) = self.record_visit(ctx, visit)? {
                        visited.insert(site);
                    }
                }
            }
        }
        for site in visited {
            let watches = self.pending.watches.get(ctx, &site)?;
            touched.extend(watches.0.iter().map(|w| w.message.clone()));
        }
        Ok(touched)
    }

    /// Keeps a row of a qualifying message; silences a message whose links
    /// arrived first but which does not qualify.
    fn record_message(
        &mut self,
        ctx: &mut Context,
        row: MessageRow,
    ) -> Result<Option<String>, Error> {
        let Some(id) = row.message.clone() else {
            return Ok(None);
        };
        if self.qualifies(ctx, &row)? {
            self.pending.messages.get_mut(ctx, &id)?.add_row(&row);
            return Ok(Some(id));
        }
        let state = self.pending.messages.get(ctx, &id)?;
        if state.message.is_none() {
            if state.last.is_some() {
                self.pending.messages.get_mut(ctx, &id)?.silence(row.time);
            }
            self.quiet.insert(id);
        }
        Ok(None)
    }

    /// Whether a message row can be reported: inbound, after learning,
    /// from a new sender.
    fn qualifies(&mut self, ctx: &mut Context, row: &MessageRow) -> Result<bool, Error> {
        if row.direction != Direction::Inbound || self.learning(row.time) {
            return Ok(false);
        }
        let Some(sender) = &row.sender else {
            return Ok(false);
        };
        let grace = self.config.grace;
        let new_address = self
            .knowledge
            .is_new(ctx, Item::Sender, sender, row.time, grace)?;
        let new_domain = match (&row.sender_domain, self.config.require_new_domain) {
            (Some(domain), true) => {
                self.knowledge
                    .is_new(ctx, Item::SenderDomain, domain, row.time, grace)?
            }
            _ => true,
        };
        Ok(new_address && new_domain)
    }

    fn record_link(&mut self, ctx: &mut Context, id: &str, link: Link) -> Result<bool, Error> {
        let span = self.config.grace + SLACK;
        if !self.may_matter(ctx, id, &link.site, link.time, span)? {
            return Ok(false);
        }
        self.pending.messages.get_mut(ctx, id)?.add_link(link);
        Ok(true)
    }

    fn record_click(&mut self, ctx: &mut Context, id: &str, click: Click) -> Result<bool, Error> {
        let span = self.config.window + self.config.grace + SLACK;
        if !self.may_matter(ctx, id, &click.site, click.time, span)? {
            return Ok(false);
        }
        self.pending.messages.get_mut(ctx, id)?.add_click(click);
        Ok(true)
    }

    /// Whether a link or click of message `id` at `time` may still count:
    /// the message may be out of learning and not quiet, and the site was
    /// first seen no more than `span` before.
    fn may_matter(
        &mut self,
        ctx: &mut Context,
        id: &str,
        site: &str,
        time: i64,
        span: i64,
    ) -> Result<bool, Error> {
        if self.learning(time.saturating_add(SLACK)) || self.quiet.contains(id) {
            return Ok(false);
        }
        Ok(self.site_is_new(ctx, site, time, span)? && !self.pending.messages.get(ctx, id)?.quiet)
    }

    /// Keeps a user's visit to a site new enough that a message linking to
    /// it may still be judged; returns the site.
    fn record_visit(&mut self, ctx: &mut Context, visit: Visit) -> Result<Option<String>, Error> {
        let span = self.config.window + self.config.grace + SLACK;
        if visit.user.is_none() || !self.site_is_new(ctx, &visit.site, visit.time, span)? {
            return Ok(None);
        }
        let site = visit.site.clone();
        self.pending.visits.get_mut(ctx, &site)?.add(visit);
        Ok(Some(site))
    }

    fn site_is_new(
        &mut self,
        ctx: &mut Context,
        site: &str,
        time: i64,
        span: i64,
    ) -> Result<bool, Error> {
        self.knowledge.is_new(ctx, Item::Site, site, time, span)
    }

    fn learning(&self, time: i64) -> bool {
        time < self.clock.first.saturating_add(self.config.learning)
    }

    /// Reports each touched message.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when stored state is unreadable.
    pub(crate) fn judge(
        &mut self,
        ctx: &mut Context,
        touched: BTreeSet<String>,
        out: &mut Findings,
    ) -> Result<(), Error> {
        for id in touched {
            self.judge_message(ctx, &id, out)?;
        }
        Ok(())
    }

    fn judge_message(
        &mut self,
        ctx: &mut Context,
        id: &str,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let state = self.pending.messages.get(ctx, id)?.clone();
        let Some(message) = &state.message else {
            return Ok(());
        };
        let links = self.new_links(ctx, &state, message.time)?;
        let (mut delivered, mut escalated) = (Vec::new(), Vec::new());
        for recipient in &message.recipients {
            for link in &links {
                let pair = format!("{} {}", recipient.user, link.site);
                let assessment = Assessment::of(message, link, self.config);
                if !state.delivered.contains(&pair) {
                    out.push(judge::new_domain(id, message, recipient, link, &assessment));
                    self.pending
                        .watches
                        .get_mut(ctx, &link.site)?
                        .add(id, message.time);
                    delivered.push(pair.clone());
                }
                if state.escalated.contains(&pair) {
                    continue;
                }
                if let Some(reached) = self.reached(ctx, &state, message, recipient, link)? {
                    out.push(judge::clicked(
                        id,
                        message,
                        recipient,
                        link,
                        &assessment,
                        &reached,
                    ));
                    escalated.push(pair);
                }
            }
        }
        if !delivered.is_empty() || !escalated.is_empty() {
            let state = self.pending.messages.get_mut(ctx, id)?;
            state.delivered.extend(delivered);
            state.escalated.extend(escalated);
        }
        Ok(())
    }

    /// The message's links to sites new at its time, one per site.
    fn new_links(
        &mut self,
        ctx: &mut Context,
        state: &MessageState,
        time: i64,
    ) -> Result<Vec<Link>, Error> {
        let mut links: Vec<Link> = Vec::new();
        for link in &state.links {
            if links.iter().any(|l| l.site == link.site) {
                continue;
            }
            if self.site_is_new(ctx, &link.site, time, self.config.grace)? {
                links.push(link.clone());
            }
        }
        Ok(links)
    }

    /// The earliest click on `link` by `recipient`, or visit by the
    /// recipient's device to its site, within the window.
    fn reached(
        &mut self,
        ctx: &mut Context,
        state: &MessageState,
        message: &Message,
        recipient: &Recipient,
        link: &Link,
    ) -> Result<Option<Reached>, Error> {
        let from = message.time - CLOCK_SKEW;
        let until = message.time.saturating_add(self.config.window);
        let within = |t: i64| (from..=until).contains(&t);
        let clicks = state
            .clicks
            .iter()
            .filter(|c| c.user == recipient.user && c.site == link.site && within(c.time))
            .map(|c| Reached::Click(c.clone()));
        let visits = self.pending.visits.get(ctx, &link.site)?;
        let visits = visits
            .0
            .iter()
            .filter(|v| v.user.as_deref() == Some(recipient.user.as_str()) && within(v.time))
            .map(|v| Reached::Visit(v.clone()));
        Ok(clicks.chain(visits).min_by_key(Reached::time))
    }

    /// Expires what aged out and writes the batch's state.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when stored state is unreadable or unwritable.
    pub(crate) fn finish(mut self, ctx: &mut Context) -> Result<(), Error> {
        let keep = self.config.window + self.config.grace + SLACK;
        self.pending
            .expire(ctx, self.clock.now.saturating_sub(keep))?;
        self.pending.flush(ctx)?;
        self.knowledge.flush(ctx);
        Ok(())
    }
}
