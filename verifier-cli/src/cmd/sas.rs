//! `verifier sas host|join`: interactive verification with a short authentication string
//! over TCP (docs/sas-protocol.md).
//!
//! Exit codes: 0 verified; 1 the run ended without verification (the reason is printed, and
//! with `--json` sent as a `cancelled` event); 2 the run could not start (bad join code,
//! unreadable identity, address in use, host unreachable).

use std::io::{BufRead, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand_core::OsRng;
use serde_json::json;
use verifier_core::identity::Identity;
use verifier_core::render::SasEmoji;
use verifier_core::sas::{CancelReason, Decision, JoinCode, Output, Phase, SasConfig, SasSession};
use verifier_net::{Connection, DecisionSender, Driver, Host};

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
        /// Address and port to listen on (port 0 picks a free one).
        #[arg(long, value_name = "ADDR:PORT", default_value = "0.0.0.0:0")]
        bind: SocketAddr,
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
    SasConfig::default().with_timeout(Duration::from_secs(common.timeout))
}

fn host(common: &Common, bind: SocketAddr) -> Result<(Phase, Option<Evidence>), CliError> {
    let identity = load_identity(common)?;
    let ui = Ui {
        json: common.json,
        yes: common.yes,
    };
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
    let config = config(common);
    let timeout = config.timeout();
    let (mut session, first) = SasSession::initiate(&identity, config, &mut OsRng, Instant::now());
    let code = JoinCode::new(SocketAddr::new(ip, local.port()), session.join_binding());
    if ui.json {
        ui.event("join_code", &[("code", json!(code.to_text()))]);
    } else {
        println!("Join code: {code}");
        println!("On the other device run:  verifier sas join {code}");
        println!("Waiting for the other person to join…");
    }
    let conn = match listener.accept_one(timeout) {
        Ok(conn) => conn,
        Err(verifier_net::NetError::Timeout { .. }) => {
            let out = session.tick(Instant::now() + timeout);
            ui.show(&out.phase);
            return Ok((out.phase, None));
        }
        Err(e) => return Err(setup(e.to_string())),
    };
    let phase = drive(conn, &mut session, first, &ui)?;
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
    let mut session = SasSession::respond(
        &identity,
        config(common),
        Some(code.binding()),
        Instant::now(),
    );
    let start = Output {
        send: Vec::new(),
        phase: session.phase(),
    };
    let phase = drive(conn, &mut session, start, &ui)?;
    Ok((phase, session.evidence()))
}

fn drive(
    conn: Connection,
    session: &mut SasSession<'_>,
    first: Output,
    ui: &Ui,
) -> Result<Phase, CliError> {
    let driver = Driver::start(conn).map_err(|e| setup(e.to_string()))?;
    let decisions = driver.decisions();
    Ok(driver.run(session, &mut OsRng, first, |phase| {
        ui.on_phase(phase, &decisions)
    }))
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
                words,
                emoji,
                decimals,
                ..
            } => self.show_code(words, emoji, decimals),
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

    fn show_code(&self, words: &[&str], emoji: &[SasEmoji], decimals: &[u16; 3]) {
        if self.json {
            let symbols: Vec<&str> = emoji.iter().map(|e| e.emoji()).collect();
            self.event(
                "compare",
                &[
                    ("words", json!(words)),
                    ("emoji", json!(symbols)),
                    ("decimals", json!(decimals)),
                ],
            );
        } else {
            println!();
            println!("Compare with the other screen (any one line is enough):");
            println!("  words:    {}", words.join("  "));
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
