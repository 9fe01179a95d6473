//! `verifier sas host|join`: interactive verification with a short authentication string
//! over TCP (docs/sas-protocol.md).
//!
//! Exit codes: 0 verified; 1 the run ended without verification (the reason is printed, and
//! with `--json` sent as a `cancelled` event); 2 the run could not start (bad join code,
//! unreadable identity, address in use, host unreachable).

use std::io::{BufRead, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use verifier_core::identity::Identity;
use verifier_core::render::{Bip39Language, SasEmoji};
use verifier_core::sas::{
    CancelReason, Decision, Ignored, JoinCode, Output, Phase, SasCode, SasConfig, SasSession,
    words_language,
};
use verifier_net::{Accepted, Clock, Connection, DecisionSender, Driver, Dropped, Host};

use verifier_core::trust::{Evidence, OwnKeys, Refusal};

use crate::common::{self, CliError, CliResult};

/// How long the joiner tries to reach the host.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// `verifier sas …`
#[derive(Debug, clap::Subcommand)]
pub enum SasCommand {
    /// Start a verification: print a join code for the other person, then compare codes.
    Host {
        #[command(flatten)]
        common: Common,
        /// Address and port to listen on (port 0 picks a free one). Default: the address
        /// this machine uses on the LAN, a free port.
        #[arg(long, value_name = "ADDR:PORT")]
        bind: Option<SocketAddr>,
    },
    /// Join a verification started with `verifier sas host`, using its join code.
    Join {
        /// The join code the host shows (case and dashes do not matter).
        code: String,
        #[command(flatten)]
        common: Common,
    },
}

/// Options of both sides.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// The identity file to verify with (default: the standard identity).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// Print one JSON object per line instead of text.
    #[arg(long)]
    json: bool,
    /// Answer "match" without asking. The protocol runs, but nothing is recorded in the
    /// trust store: nobody compared the codes, so a man in the middle would pass.
    #[arg(long)]
    yes: bool,
    /// Record the verification for this contact in the trust store (created if new).
    /// Without it nothing is recorded: a key alone never credits a contact.
    #[arg(long, value_name = "NAME")]
    contact: Option<String>,
    /// Key-change flow: the key you had verified for the contact before (as `contacts show`
    /// lists it); the session must verify the contact's new key.
    #[arg(long, value_name = "OLD_KEY", requires = "contact")]
    replaces: Option<String>,
    /// The trust store (default: $VERIFIER_STORE, else the platform data dir).
    #[arg(long, value_name = "PATH")]
    store: Option<PathBuf>,
    /// Language of the words when you host (the host's language is shown on both sides):
    /// en, es, fr, it, pt, cs, ja, ko, zh-hans, zh-hant.
    #[arg(long, value_name = "LANG", default_value = "en")]
    lang: Bip39Language,
    /// Give up after this many seconds without progress.
    #[arg(long, value_name = "SECS", default_value_t = 300, hide = true)]
    timeout: u64,
}

/// Runs `verifier sas …`: exit code 0 only when verified.
pub fn run(cmd: SasCommand) -> CliResult<u8> {
    let ((phase, evidence), common) = match cmd {
        SasCommand::Host { common, bind } => (host(&common, bind)?, common),
        SasCommand::Join { code, common } => (join(&code, &common)?, common),
    };
    let (Phase::Verified { .. }, Some(evidence)) = (phase, evidence) else {
        return Ok(1);
    };
    // With --yes the evidence says a script answered; the trust engine refuses to
    // record it (asked anyway when a contact is named, so the rule lives in one place).
    let recorded = if common.yes && common.contact.is_none() {
        let refusal = Refusal::NotComparedByPerson;
        Ok(common::Recorded::No {
            code: refusal.code(),
            message: common::refusal_message("the peer", &refusal),
        })
    } else {
        load_own(&common).and_then(|(identity, own)| {
            let replaces = common
                .replaces
                .as_deref()
                .map(|k| common::read_key_arg(k, "--replaces"))
                .transpose()?;
            common::record_check(
                common.store.as_deref(),
                common.contact.as_deref(),
                evidence,
                replaces.as_ref(),
                &identity,
                &own,
            )
        })
    };
    match recorded {
        // "event" first, as in every other event line.
        Ok(common::Recorded::Yes { contact, receipt }) if common.json => println!(
            r#"{{"event":"recorded","contact":{},"method":"sas","receipt_id":{}}}"#,
            json!(contact),
            json!(receipt)
        ),
        Ok(common::Recorded::Yes { contact, .. }) => {
            println!("Recorded in the trust store: {contact} verified by SAS session.")
        }
        Ok(common::Recorded::No { code, message }) if common.json => println!(
            r#"{{"event":"not_recorded","reason":{},"message":{}}}"#,
            json!(code),
            json!(message)
        ),
        Ok(common::Recorded::No { message, .. }) => println!("{message}"),
        // Verified stays verified; only the bookkeeping failed.
        Err(e) => eprintln!("warning: verified, but not recorded: {}", e.message),
    }
    Ok(0)
}

/// A failure before the protocol could run (exit code 2).
fn setup(message: impl Into<String>) -> CliError {
    CliError::with_code(message, 2)
}

fn load_identity(common: &Common) -> Result<Identity, CliError> {
    common::load_identity(common.identity.as_deref())
        .map(|(id, _)| id)
        .map_err(|e| setup(e.message))
}

fn load_own(common: &Common) -> Result<(Identity, OwnKeys), CliError> {
    common::load_own(common.identity.as_deref()).map_err(|e| setup(e.message))
}

fn config(common: &Common) -> SasConfig {
    // The rendering this side shows (sent in the protocol; the host's is the one both show).
    SasConfig::default()
        .with_timeout_ms(common.timeout.saturating_mul(1000))
        .with_words(common.lang)
}

fn host(common: &Common, bind: Option<SocketAddr>) -> Result<(Phase, Option<Evidence>), CliError> {
    let identity = load_identity(common)?;
    let ui = Ui {
        json: common.json,
        yes: common.yes,
    };
    // Listen on the LAN interface only, not on every interface, unless --bind says so.
    let bind = bind.unwrap_or_else(|| match verifier_net::likely_lan_ip(false) {
        Some(ip) => SocketAddr::new(ip, 0),
        None => {
            ui.note("No network address found; listening on this machine only (see --bind).");
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
        }
    });
    let listener = Host::bind(bind).map_err(|e| setup(format!("cannot listen on {bind}: {e}")))?;
    let local = listener.local_addr().map_err(|e| setup(e.to_string()))?;
    let ip = if local.ip().is_unspecified() {
        verifier_net::likely_lan_ip(local.is_ipv6()).unwrap_or_else(|| {
            ui.note("No network address found; the join code names this machine only.");
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        })
    } else {
        local.ip()
    };
    let clock = Clock::new();
    let (mut session, _first) = SasSession::initiate(&identity, config(common), clock.now_ms())
        .map_err(|e| setup(e.to_string()))?;
    let code = session
        .join_code(SocketAddr::new(ip, local.port()))
        .ok_or_else(|| setup("internal error: the host has no join code"))?;
    if ui.json {
        ui.event("join_code", &[("code", json!(code.to_text()))]);
    } else {
        println!("Join code: {code}");
        println!("On the other device run:  verifier sas join {code}");
        println!("Waiting for the other person to join…");
    }
    let accepted = listener
        .accept_joiner(
            &mut session,
            &clock,
            || false,
            |peer, why| ui.dropped(peer, why),
        )
        .map_err(|e| setup(e.to_string()))?;
    let (conn, first) = match accepted {
        Accepted::Joiner { conn, output } => (conn, output),
        Accepted::Ended(out) => {
            ui.show(&out.phase);
            return Ok((out.phase, None));
        }
        _ => {
            return Err(setup(
                "internal error: unknown outcome while waiting for a joiner",
            ));
        }
    };
    let phase = drive(conn, &mut session, &clock, first, &ui)?;
    Ok((phase, session.evidence()))
}

fn join(code: &str, common: &Common) -> Result<(Phase, Option<Evidence>), CliError> {
    let code: JoinCode = code.parse().map_err(|e| setup(format!("join code: {e}")))?;
    let identity = load_identity(common)?;
    let ui = Ui {
        json: common.json,
        yes: common.yes,
    };
    let conn = Connection::connect(code.addr(), CONNECT_TIMEOUT)
        .map_err(|e| setup(format!("cannot reach the host at {}: {e}", code.addr())))?;
    let clock = Clock::new();
    let mut session = SasSession::respond(&identity, config(common), &code, clock.now_ms())
        .map_err(|e| setup(e.to_string()))?;
    let start = Output {
        send: Vec::new(),
        phase: session.phase(),
        ignored: None,
    };
    let phase = drive(conn, &mut session, &clock, start, &ui)?;
    Ok((phase, session.evidence()))
}

fn drive(
    conn: Connection,
    session: &mut SasSession,
    clock: &Clock,
    first: Output,
    ui: &Ui,
) -> Result<Phase, CliError> {
    let driver = Driver::start(conn).map_err(|e| setup(e.to_string()))?;
    let decisions = driver.decisions();
    Ok(driver.run(
        session,
        clock,
        first,
        |phase| ui.on_phase(phase, &decisions),
        |why| ui.ignored(why),
    ))
}

struct Ui {
    json: bool,
    yes: bool,
}

impl Ui {
    /// One JSON object on one line, `"event"` first and the fields in the order given.
    fn event(&self, name: &str, fields: &[(&str, serde_json::Value)]) {
        let mut line = format!("{{\"event\":{}", json!(name));
        for (key, value) in fields {
            line.push_str(&format!(",{}:{value}", json!(key)));
        }
        line.push('}');
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// Text for people that is not part of the result (stderr under `--json`).
    fn note(&self, text: &str) {
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }

    /// A connection the host closed without letting it near the session.
    fn dropped(&self, peer: SocketAddr, why: &Dropped) {
        if self.json {
            self.event(
                "ignored_connection",
                &[
                    ("peer", json!(peer.to_string())),
                    ("reason", json!(why.to_string())),
                ],
            );
        } else {
            eprintln!("Closed a connection from {peer} that is not the joiner: {why}.");
        }
    }

    /// A message the session ignored (forged, replayed or unreadable).
    fn ignored(&self, why: &Ignored) {
        if self.json {
            self.event(
                "ignored_message",
                &[
                    ("reason", json!(why.name())),
                    ("message", json!(why.to_string())),
                ],
            );
        } else {
            eprintln!("Warning: {why}. The session goes on.");
        }
    }

    fn on_phase(&self, phase: &Phase, decisions: &DecisionSender) {
        self.show(phase);
        if matches!(phase, Phase::Compare { .. }) {
            if self.yes {
                decisions.send(Decision::ScriptedMatch);
            } else {
                let decisions = decisions.clone();
                let json = self.json;
                std::thread::spawn(move || decisions.send(ask(json)));
            }
        }
    }

    fn show(&self, phase: &Phase) {
        match phase {
            Phase::WaitingForPeer => {}
            Phase::Compare {
                sas,
                emoji,
                decimals,
                rendering,
                ..
            } => self.show_code(sas, rendering.as_deref(), emoji, decimals),
            Phase::WaitingForPeerConfirmation => {
                self.note("Waiting for the other person to confirm…");
            }
            Phase::Verified { peer } => {
                if self.json {
                    self.event(
                        "verified",
                        &[("peer_key", json!(peer.to_canonical_string()))],
                    );
                } else {
                    println!("Verified. The other person's key is:");
                    println!("  {}", peer.to_canonical_string());
                }
            }
            Phase::Cancelled { reason } => {
                if self.json {
                    self.event("cancelled", &[("reason", json!(reason.name()))]);
                } else {
                    println!("Not verified: {reason}.");
                    if *reason == CancelReason::UserNoMatch || *reason == CancelReason::PeerNoMatch
                    {
                        println!("The codes differ: someone may be intercepting the connection.");
                    }
                }
            }
            _ => {}
        }
    }

    fn show_code(
        &self,
        sas: &SasCode,
        rendering: Option<&str>,
        emoji: &[SasEmoji],
        decimals: &[u16; 3],
    ) {
        // The host's rendering is the one both sides show: words in its language.
        let lang = rendering.and_then(words_language).unwrap_or_default();
        let words = sas.words(lang);
        if self.json {
            let symbols: Vec<&str> = emoji.iter().map(|e| e.emoji()).collect();
            self.event(
                "compare",
                &[
                    ("words", json!(words)),
                    ("words_language", json!(lang.code())),
                    ("emoji", json!(symbols)),
                    ("decimals", json!(decimals)),
                ],
            );
        } else {
            println!();
            println!("Compare with the other screen (any one line is enough):");
            if lang == Bip39Language::English {
                println!("  words:    {}", words.join("  "));
            } else {
                println!("  words ({}):    {}", lang.name(), words.join("  "));
            }
            let shown: Vec<String> = emoji
                .iter()
                .map(|e| format!("{} {}", e.emoji(), e.description_en()))
                .collect();
            println!("  emoji:    {}", shown.join("   "));
            println!(
                "  numbers:  {} {} {}",
                decimals[0], decimals[1], decimals[2]
            );
            println!();
        }
    }
}

/// Asks until the person answers yes or no; there is no default. End of input cancels.
fn ask(json: bool) -> Decision {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        let prompt = "Do the words match? [y/n] ";
        if json {
            eprint!("{prompt}");
        } else {
            print!("{prompt}");
            let _ = std::io::stdout().flush();
        }
        line.clear();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => return Decision::Cancel,
            Ok(_) => {}
        }
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" => return Decision::Match,
            "n" | "no" => return Decision::NoMatch,
            _ => {
                let again = "Please answer y (they match) or n (they differ).";
                if json {
                    eprintln!("{again}")
                } else {
                    println!("{again}")
                }
            }
        }
    }
}
