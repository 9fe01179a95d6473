//! The SAS state machines over real loopback connections: the host keeps the joiner who
//! knows the join code and drops everyone else without disturbing the session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use verifier_core::identity::Identity;
use verifier_core::sas::hazmat::wire::{Body, Frame};
use verifier_core::sas::{
    CancelReason, Decision, JoinCode, JoinSecret, Output, Phase, SasConfig, SasSession,
};
use verifier_net::{
    Accepted, Clock, Connection, Driver, Dropped, Host, MAX_PENDING, read_frame, write_frame,
};

struct HostRun {
    code: JoinCode,
    drops: Arc<Mutex<Vec<Dropped>>>,
    handle: std::thread::JoinHandle<(Phase, Vec<Phase>)>,
}

fn host_thread(answer: Decision) -> HostRun {
    let host = Host::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = host.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let drops = Arc::new(Mutex::new(Vec::new()));
    let seen_drops = drops.clone();
    let handle = std::thread::spawn(move || {
        let id = Identity::from_bytes(&[1; 32]).unwrap();
        let clock = Clock::new();
        let (mut session, first) =
            SasSession::initiate(&id, SasConfig::default(), clock.now_ms()).unwrap();
        tx.send(session.join_code(addr).unwrap()).unwrap();
        drop(first); // the host sends the first message to each connection itself
        let accepted = host
            .accept_joiner(
                &mut session,
                &clock,
                || false,
                |_, why| seen_drops.lock().unwrap().push(why.clone()),
            )
            .unwrap();
        let Accepted::Joiner { conn, output } = accepted else {
            panic!("nobody joined")
        };
        let driver = Driver::start(conn).unwrap();
        let decisions = driver.decisions();
        let mut seen = Vec::new();
        let end = driver.run(
            &mut session,
            &clock,
            output,
            |p| {
                if matches!(p, Phase::Compare { .. }) {
                    decisions.send(answer);
                }
                seen.push(p.clone());
            },
            |_| {},
        );
        (end, seen)
    });
    HostRun {
        code: rx.recv().unwrap(),
        drops,
        handle,
    }
}

/// The real joiner: returns its final phase and the code it compared.
fn join(code: &JoinCode) -> (Phase, Option<verifier_core::sas::SasCode>) {
    let id = Identity::from_bytes(&[2; 32]).unwrap();
    let clock = Clock::new();
    let mut session = SasSession::respond(&id, SasConfig::default(), code, clock.now_ms()).unwrap();
    let driver =
        Driver::start(Connection::connect(code.addr(), Duration::from_secs(5)).unwrap()).unwrap();
    let decisions = driver.decisions();
    let start = Output {
        send: vec![],
        phase: session.phase(),
        ignored: None,
    };
    let mut compared = None;
    let end = driver.run(
        &mut session,
        &clock,
        start,
        |p| {
            if let Phase::Compare { sas, .. } = p {
                compared = Some(*sas);
                decisions.send(Decision::Match);
            }
        },
        |_| {},
    );
    (end, compared)
}

fn host_code(seen: &[Phase]) -> Option<verifier_core::sas::SasCode> {
    seen.iter().find_map(|p| match p {
        Phase::Compare { sas, .. } => Some(*sas),
        _ => None,
    })
}

fn raw(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

#[test]
fn two_drivers_verify_each_other_over_loopback() {
    let host = host_thread(Decision::Match);
    let (end, joiner_code) = join(&host.code);
    let (host_end, host_seen) = host.handle.join().unwrap();
    assert!(matches!(end, Phase::Verified { .. }), "{end:?}");
    assert!(matches!(host_end, Phase::Verified { .. }), "{host_end:?}");
    assert_eq!(host_code(&host_seen), joiner_code);
    assert!(joiner_code.is_some());
}

#[test]
fn a_stranger_who_connects_first_does_not_take_the_session() {
    let host = host_thread(Decision::Match);
    let addr = host.code.addr();
    // 1. Junk after reading the Commit.
    let mut junk = raw(addr);
    let commit = Frame::decode(&read_frame(&mut junk).unwrap()).unwrap();
    assert!(matches!(commit.message().body, Body::Commit { .. }));
    write_frame(&mut junk, b"hello host").unwrap();
    // 2. A well-formed Accept from someone with the wrong join secret.
    let mut wrong = raw(addr);
    let first = read_frame(&mut wrong).unwrap();
    let guess = JoinCode::new(addr, JoinSecret::from_bytes([0; 8]));
    let mut intruder = SasSession::respond(
        &Identity::from_bytes(&[6; 32]).unwrap(),
        SasConfig::default(),
        &guess,
        0,
    )
    .unwrap();
    // The intruder cannot even read the host's Commit as authentic...
    let out = intruder.receive(&first, 0);
    assert_eq!(
        out.phase,
        Phase::Cancelled {
            reason: CancelReason::WrongJoinCode
        }
    );
    // ...and what it sends (its Cancel) is dropped by the host.
    write_frame(&mut wrong, &out.send[0]).unwrap();
    // 3. A stranger that says nothing and holds its connection open.
    let _silent = raw(addr);
    // The host closes 1 and 2, and keeps listening: the real joiner verifies.
    assert!(matches!(
        read_frame(&mut junk),
        Err(verifier_net::NetError::Closed)
    ));
    assert!(matches!(
        read_frame(&mut wrong),
        Err(verifier_net::NetError::Closed)
    ));
    let (end, code) = join(&host.code);
    let (host_end, seen) = host.handle.join().unwrap();
    assert!(matches!(end, Phase::Verified { .. }), "{end:?}");
    assert!(matches!(host_end, Phase::Verified { .. }));
    assert_eq!(host_code(&seen), code);
    let drops = host.drops.lock().unwrap().clone();
    assert!(
        drops
            .iter()
            .filter(|d| matches!(d, Dropped::Ignored(_)))
            .count()
            >= 2,
        "{drops:?}"
    );
    // The listener closed with the session: nobody else can connect now.
    assert!(Connection::connect(addr, Duration::from_secs(2)).is_err());
}

#[test]
fn an_oversized_frame_from_a_stranger_is_dropped_and_the_host_keeps_listening() {
    let host = host_thread(Decision::Match);
    let mut s = raw(host.code.addr());
    read_frame(&mut s).unwrap();
    s.write_all(&100_000u32.to_be_bytes()).unwrap();
    assert!(matches!(
        read_frame(&mut s),
        Err(verifier_net::NetError::Closed)
    ));
    let (end, _) = join(&host.code);
    assert!(matches!(end, Phase::Verified { .. }));
    host.handle.join().unwrap();
    assert!(host.drops.lock().unwrap().contains(&Dropped::BadFrame));
}

#[test]
fn a_flood_of_connections_is_bounded_and_the_joiner_still_gets_in() {
    let host = host_thread(Decision::Match);
    let addr = host.code.addr();
    // Loopback only: 64 connections that read the Commit and then hold on silently.
    let flood: Vec<TcpStream> = (0..64).map(|_| raw(addr)).collect();
    // Wait until the host has answered the last of them (it reads them in order).
    let mut last = flood.last().unwrap().try_clone().unwrap();
    read_frame(&mut last).unwrap();
    let (end, _) = join(&host.code);
    assert!(matches!(end, Phase::Verified { .. }), "{end:?}");
    host.handle.join().unwrap();
    let too_many = host
        .drops
        .lock()
        .unwrap()
        .iter()
        .filter(|d| **d == Dropped::TooMany)
        .count();
    // At most MAX_PENDING waited at once: every other one was closed as the oldest.
    assert!(
        too_many >= 64 - MAX_PENDING,
        "{too_many} dropped as too many"
    );
    drop(flood);
}

#[test]
fn a_joiner_that_disappears_ends_the_run_as_connection_lost() {
    let host = host_thread(Decision::Match);
    let mut s = raw(host.code.addr());
    let commit = read_frame(&mut s).unwrap();
    let mut joiner = SasSession::respond(
        &Identity::from_bytes(&[2; 32]).unwrap(),
        SasConfig::default(),
        &host.code,
        0,
    )
    .unwrap();
    let accept = joiner.receive(&commit, 0).send.remove(0);
    write_frame(&mut s, &accept).unwrap();
    read_frame(&mut s).unwrap(); // the Reveal: the host took this connection
    drop(s);
    let (end, _) = host.handle.join().unwrap();
    assert_eq!(
        end,
        Phase::Cancelled {
            reason: CancelReason::ConnectionLost
        }
    );
}

#[test]
fn an_oversized_frame_from_the_joiner_cancels_as_malformed_and_closes_cleanly() {
    let host = host_thread(Decision::Match);
    let mut s = raw(host.code.addr());
    let commit = read_frame(&mut s).unwrap();
    let mut joiner = SasSession::respond(
        &Identity::from_bytes(&[2; 32]).unwrap(),
        SasConfig::default(),
        &host.code,
        0,
    )
    .unwrap();
    let accept = joiner.receive(&commit, 0).send.remove(0);
    write_frame(&mut s, &accept).unwrap();
    let reveal = read_frame(&mut s).unwrap();
    joiner.receive(&reveal, 0);
    s.write_all(&100_000u32.to_be_bytes()).unwrap();
    // The host tells why (authenticated: the joiner reads it), then closes. (Its Confirm
    // may come first: the host's person already answered "match".)
    let mut out = joiner.receive(&read_frame(&mut s).unwrap(), 0);
    if !matches!(out.phase, Phase::Cancelled { .. }) {
        out = joiner.receive(&read_frame(&mut s).unwrap(), 0);
    }
    assert_eq!(
        out.phase,
        Phase::Cancelled {
            reason: CancelReason::PeerCancelled
        }
    );
    assert!(matches!(
        read_frame(&mut s),
        Err(verifier_net::NetError::Closed)
    ));
    let (end, _) = host.handle.join().unwrap();
    assert_eq!(
        end,
        Phase::Cancelled {
            reason: CancelReason::MalformedMessage
        }
    );
}
