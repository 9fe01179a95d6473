//! The SAS state machines over real loopback connections, through the driver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use rand_core::OsRng;
use verifier_core::identity::Identity;
use verifier_core::sas::wire::Body;
use verifier_core::sas::{CancelReason, Decision, Message, Phase, SasConfig, SasSession};
use verifier_net::{Connection, Driver, Host, read_frame};

/// The host's listening address, its join binding, and its thread (final phase, phases seen).
type HostRun = (
    std::net::SocketAddr,
    [u8; 4],
    std::thread::JoinHandle<(Phase, Vec<Phase>)>,
);

fn host_thread(answer: Decision) -> HostRun {
    let host = Host::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = host.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let id = Identity::generate(&mut OsRng);
        let (mut session, first) =
            SasSession::initiate(&id, SasConfig::default(), &mut OsRng, Instant::now());
        tx.send(session.join_binding()).unwrap();
        let conn = host.accept_one(Duration::from_secs(10)).unwrap();
        let driver = Driver::start(conn).unwrap();
        let decisions = driver.decisions();
        let mut seen = Vec::new();
        let end = driver.run(&mut session, &mut OsRng, first, |p| {
            if matches!(p, Phase::Compare { .. }) {
                decisions.send(answer);
            }
            seen.push(p.clone());
        });
        (end, seen)
    });
    (addr, rx.recv().unwrap(), handle)
}

#[test]
fn two_drivers_verify_each_other_over_loopback() {
    let (addr, binding, host) = host_thread(Decision::Match);
    let id = Identity::generate(&mut OsRng);
    let mut session = SasSession::respond(&id, SasConfig::default(), Some(binding), Instant::now());
    let driver = Driver::start(Connection::connect(addr, Duration::from_secs(5)).unwrap()).unwrap();
    let decisions = driver.decisions();
    let start = verifier_core::sas::Output {
        send: vec![],
        phase: session.phase(),
    };
    let mut joiner_code = None;
    let end = driver.run(&mut session, &mut OsRng, start, |p| {
        if let Phase::Compare { sas, .. } = p {
            joiner_code = Some(*sas);
            decisions.send(Decision::Match);
        }
    });
    let (host_end, host_seen) = host.join().unwrap();
    assert!(matches!(end, Phase::Verified { .. }), "{end:?}");
    assert!(matches!(host_end, Phase::Verified { peer } if peer == id.public_key()));
    let host_code = host_seen.iter().find_map(|p| match p {
        Phase::Compare { sas, .. } => Some(*sas),
        _ => None,
    });
    assert_eq!(host_code, joiner_code);
}

#[test]
fn an_oversized_frame_cancels_as_malformed_and_closes_cleanly() {
    let (addr, _, host) = host_thread(Decision::Match);
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let commit = Message::decode(&read_frame(&mut raw).unwrap()).unwrap();
    assert!(matches!(commit.body, Body::Commit { .. }));
    std::io::Write::write_all(&mut raw, &100_000u32.to_be_bytes()).unwrap();
    // The host tells why, then closes the connection.
    let cancel = Message::decode(&read_frame(&mut raw).unwrap()).unwrap();
    assert_eq!(cancel.body, Body::Cancel { code: 0x05 });
    assert!(matches!(
        read_frame(&mut raw),
        Err(verifier_net::NetError::Closed)
    ));
    let (end, _) = host.join().unwrap();
    assert_eq!(
        end,
        Phase::Cancelled {
            reason: CancelReason::MalformedMessage
        }
    );
}

#[test]
fn a_peer_that_disappears_ends_the_run_as_connection_lost() {
    let (addr, _, host) = host_thread(Decision::Match);
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    read_frame(&mut raw).unwrap();
    drop(raw);
    let (end, _) = host.join().unwrap();
    assert_eq!(
        end,
        Phase::Cancelled {
            reason: CancelReason::ConnectionLost
        }
    );
}
