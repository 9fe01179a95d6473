//! # verifier-net
//!
//! The TCP transport of the SAS protocol (`docs/sas-protocol.md`, "Transport"): frames are
//! `u32 length ‖ message` with a maximum size, sockets have read and write timeouts, and a
//! cancelled run shuts its connection down.
//!
//! A [`Host`] sends its first message to every connection and keeps the one whose answer
//! proves it knows the join code ([`Host::accept_joiner`]): a stranger who connects first,
//! sends junk or floods the port is dropped without disturbing the session (at most
//! [`MAX_PENDING`] connections wait at once, each at most [`FIRST_FRAME_TIMEOUT`]).
//! [`Driver`] then runs the [`SasSession`] over that [`Connection`] with std threads: one
//! thread reads frames, the caller's thread feeds the state machine, and the person's
//! decisions arrive from any thread through a [`DecisionSender`]. Time comes from a
//! [`Clock`] (milliseconds since it was made).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use verifier_core::sas::{Decision, Ignored, MAX_MESSAGE_LEN, Output, Phase, SasSession};

/// The largest frame payload accepted (the largest SAS message).
pub const MAX_FRAME_LEN: usize = MAX_MESSAGE_LEN;
/// The default read and write timeout of a connection.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a finished side keeps reading so its last frame is not lost to a reset.
const LINGER: Duration = Duration::from_secs(2);
/// The most connections a host keeps waiting for their first frame; when one more arrives,
/// the oldest is closed.
pub const MAX_PENDING: usize = 4;
/// How long a new connection may take to send its first frame before the host closes it.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(10);

/// The session's clock: milliseconds since it was made, from [`Instant`] (monotonic).
#[derive(Clone, Copy, Debug)]
pub struct Clock(Instant);

impl Clock {
    /// A clock starting at 0 now.
    pub fn new() -> Self {
        Self(Instant::now())
    }

    /// Milliseconds since [`Clock::new`].
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn until(&self, deadline_ms: u64) -> Duration {
        Duration::from_millis(deadline_ms.saturating_sub(self.now_ms()))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

/// A transport failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// A socket operation failed.
    #[error("{op} failed: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The peer announced a frame larger than [`MAX_FRAME_LEN`].
    #[error("the peer sent a frame of {len} bytes, more than the maximum of {max}; closing")]
    FrameTooLarge {
        /// Announced length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// An empty frame (no message).
    #[error("the peer sent an empty frame")]
    EmptyFrame,
    /// The peer closed the connection.
    #[error("the peer closed the connection")]
    Closed,
    /// A read or write on the connection did not complete within its timeout.
    #[error("{op} timed out: the other side stopped answering")]
    IoTimeout {
        /// What was being done.
        op: &'static str,
    },
    /// No peer or no data within the timeout.
    #[error("timed out {while_doing}: no answer within {secs} s")]
    Timeout {
        /// What was being waited for.
        while_doing: &'static str,
        /// The timeout in seconds.
        secs: u64,
    },
}

fn io_err(op: &'static str) -> impl FnOnce(io::Error) -> NetError {
    move |source| NetError::Io { op, source }
}

/// Writes one frame: `u32 length ‖ message`.
pub fn write_frame<W: Write>(w: &mut W, message: &[u8]) -> Result<(), NetError> {
    if message.len() > MAX_FRAME_LEN {
        return Err(NetError::FrameTooLarge {
            len: message.len(),
            max: MAX_FRAME_LEN,
        });
    }
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
    let mut buf = Vec::with_capacity(4 + message.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(message);
    w.write_all(&buf).map_err(timeout_or("sending a frame"))?;
    w.flush().map_err(timeout_or("sending a frame"))
}

/// Reads one frame; refuses lengths above [`MAX_FRAME_LEN`] before reading the payload.
pub fn read_frame<R: Read>(r: &mut R) -> Result<Vec<u8>, NetError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(NetError::Closed),
        Err(e) => return Err(timeout_or("reading a frame")(e)),
    }
    let len = usize::try_from(u32::from_be_bytes(len)).unwrap_or(usize::MAX);
    if len > MAX_FRAME_LEN {
        return Err(NetError::FrameTooLarge {
            len,
            max: MAX_FRAME_LEN,
        });
    }
    if len == 0 {
        return Err(NetError::EmptyFrame);
    }
    let mut buf = vec![0u8; len];
    match r.read_exact(&mut buf) {
        Ok(()) => Ok(buf),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(NetError::Closed),
        Err(e) => Err(timeout_or("reading a frame")(e)),
    }
}

fn timeout_or(op: &'static str) -> impl FnOnce(io::Error) -> NetError {
    move |source| match source.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => NetError::IoTimeout { op },
        _ => NetError::Io { op, source },
    }
}

/// One TCP connection carrying one session.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
}

impl Connection {
    /// Connects to a host, waiting at most `timeout`.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Result<Self, NetError> {
        let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => NetError::Timeout {
                while_doing: "connecting to the host",
                secs: timeout.as_secs(),
            },
            _ => NetError::Io {
                op: "connecting to the host",
                source: e,
            },
        })?;
        Self::from_stream(stream, DEFAULT_IO_TIMEOUT)
    }

    /// Wraps a connected stream and sets its read and write timeouts.
    pub fn from_stream(stream: TcpStream, io_timeout: Duration) -> Result<Self, NetError> {
        stream
            .set_read_timeout(Some(io_timeout))
            .map_err(io_err("setting the read timeout"))?;
        stream
            .set_write_timeout(Some(io_timeout))
            .map_err(io_err("setting the write timeout"))?;
        stream
            .set_nodelay(true)
            .map_err(io_err("setting TCP_NODELAY"))?;
        let peer = stream
            .peer_addr()
            .map_err(io_err("reading the peer address"))?;
        Ok(Self { stream, peer })
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// Sends one message as a frame.
    pub fn send(&mut self, message: &[u8]) -> Result<(), NetError> {
        write_frame(&mut self.stream, message)
    }

    /// Receives one frame (blocks up to the read timeout).
    pub fn recv(&mut self) -> Result<Vec<u8>, NetError> {
        read_frame(&mut self.stream)
    }

    /// Closes both directions.
    pub fn shutdown(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// A listening host for one session.
#[derive(Debug)]
pub struct Host {
    listener: TcpListener,
}

/// What [`Host::accept_joiner`] ended with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Accepted {
    /// The joiner proved it knows the join code: continue with [`Driver::run`] on this
    /// connection, sending `output` first.
    Joiner {
        /// The joiner's connection.
        conn: Connection,
        /// The session's answer to the joiner's first message.
        output: Output,
    },
    /// The run ended before anyone joined (timeout, or the person cancelled).
    Ended(Output),
}

/// Why the host closed a connection that was not the joiner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dropped {
    /// Its first frame was ignored by the session (not from someone who knows the code).
    Ignored(Ignored),
    /// Its first frame was too large or empty.
    BadFrame,
    /// It sent nothing within [`FIRST_FRAME_TIMEOUT`].
    Silent,
    /// More than [`MAX_PENDING`] connections were waiting; it was the oldest.
    TooMany,
    /// It closed, or a socket operation failed.
    Closed,
}

impl core::fmt::Display for Dropped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Ignored(why) => write!(f, "{why}"),
            Self::BadFrame => f.write_str("it sent a frame that is too large or empty"),
            Self::Silent => f.write_str("it sent nothing in time"),
            Self::TooMany => f.write_str("too many connections were waiting"),
            Self::Closed => f.write_str("it closed the connection"),
        }
    }
}

struct Pending {
    stream: TcpStream,
    peer: SocketAddr,
    since: Instant,
    buf: Vec<u8>,
}

/// What one pending connection has for the host.
enum Poll {
    Nothing,
    Frame(Vec<u8>),
    Drop(Dropped),
}

impl Pending {
    fn poll(&mut self) -> Poll {
        let mut chunk = [0u8; 4 + MAX_FRAME_LEN];
        loop {
            if let Some(frame) = self.take_frame() {
                return frame;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Poll::Drop(Dropped::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Nothing,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Poll::Drop(Dropped::Closed),
            }
        }
    }

    fn take_frame(&mut self) -> Option<Poll> {
        let (len, rest) = self.buf.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).unwrap_or(usize::MAX);
        if len == 0 || len > MAX_FRAME_LEN {
            return Some(Poll::Drop(Dropped::BadFrame));
        }
        let frame = rest.get(..len)?.to_vec();
        self.buf.drain(..4 + len);
        Some(Poll::Frame(frame))
    }
}

impl Host {
    /// Listens on `addr` (port 0 picks a free port).
    pub fn bind(addr: SocketAddr) -> Result<Self, NetError> {
        let listener = TcpListener::bind(addr).map_err(io_err("listening"))?;
        Ok(Self { listener })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, NetError> {
        self.listener
            .local_addr()
            .map_err(io_err("reading the listening address"))
    }

    /// Waits for the joiner: sends the session's first message to every connection and
    /// keeps the first one whose answer the session accepts, until the session's deadline
    /// or until `stop()` returns true (then the run is cancelled). A connection whose first
    /// frame the session ignores, that sends a bad frame or nothing within
    /// [`FIRST_FRAME_TIMEOUT`], or that is the oldest of more than [`MAX_PENDING`], is
    /// closed and reported to `on_drop`; the session is untouched. The listener closes when
    /// this returns, so nobody else can join.
    pub fn accept_joiner(
        self,
        session: &mut SasSession,
        clock: &Clock,
        stop: impl Fn() -> bool,
        mut on_drop: impl FnMut(SocketAddr, &Dropped),
    ) -> Result<Accepted, NetError> {
        self.listener
            .set_nonblocking(true)
            .map_err(io_err("configuring the listener"))?;
        let mut pending: VecDeque<Pending> = VecDeque::new();
        loop {
            if stop() {
                return Ok(Accepted::Ended(
                    session.decide(Decision::Cancel, clock.now_ms()),
                ));
            }
            let out = session.tick(clock.now_ms());
            if matches!(out.phase, Phase::Cancelled { .. } | Phase::Verified { .. }) {
                return Ok(Accepted::Ended(out));
            }
            let mut busy = false;
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    busy = true;
                    if pending.len() >= MAX_PENDING
                        && let Some(old) = pending.pop_front()
                    {
                        let _ = old.stream.shutdown(Shutdown::Both);
                        on_drop(old.peer, &Dropped::TooMany);
                    }
                    if let Some(p) = open_pending(stream, peer, session) {
                        pending.push_back(p);
                    } else {
                        on_drop(peer, &Dropped::Closed);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(NetError::Io {
                        op: "accepting a connection",
                        source: e,
                    });
                }
            }
            let mut i = 0;
            while i < pending.len() {
                let verdict = match pending[i].poll() {
                    Poll::Nothing if pending[i].since.elapsed() >= FIRST_FRAME_TIMEOUT => {
                        Some(Dropped::Silent)
                    }
                    Poll::Nothing => None,
                    Poll::Drop(why) => Some(why),
                    Poll::Frame(frame) => {
                        busy = true;
                        let output = session.receive(&frame, clock.now_ms());
                        match output.ignored.clone() {
                            Some(why) => Some(Dropped::Ignored(why)),
                            None => {
                                let Some(p) = pending.remove(i) else { break };
                                for other in pending.drain(..) {
                                    let _ = other.stream.shutdown(Shutdown::Both);
                                }
                                p.stream
                                    .set_nonblocking(false)
                                    .map_err(io_err("configuring the connection"))?;
                                let conn = Connection::from_stream(p.stream, DEFAULT_IO_TIMEOUT)?;
                                return Ok(Accepted::Joiner { conn, output });
                            }
                        }
                    }
                };
                match verdict {
                    Some(why) => {
                        if let Some(p) = pending.remove(i) {
                            let _ = p.stream.shutdown(Shutdown::Both);
                            on_drop(p.peer, &why);
                        }
                    }
                    None => i += 1,
                }
            }
            if !busy {
                std::thread::sleep(POLL);
            }
        }
    }
}

/// Sends the first message to a new connection; `None` when that fails.
fn open_pending(stream: TcpStream, peer: SocketAddr, session: &SasSession) -> Option<Pending> {
    let first = session.first_message()?;
    stream.set_nonblocking(false).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    stream.set_nodelay(true).ok()?;
    let mut writer = &stream;
    write_frame(&mut writer, &first).ok()?;
    stream.set_nonblocking(true).ok()?;
    Some(Pending {
        stream,
        peer,
        since: Instant::now(),
        buf: Vec::new(),
    })
}

/// The address other machines on the LAN most likely reach this one at, for a host bound
/// to an unspecified address. Sends nothing: it only asks the OS which local address a UDP
/// socket would use towards a documentation address.
pub fn likely_lan_ip(ipv6: bool) -> Option<std::net::IpAddr> {
    let (bind, probe) = if ipv6 {
        ("[::]:0", "[2001:db8::1]:9")
    } else {
        ("0.0.0.0:0", "192.0.2.1:9")
    };
    let sock = UdpSocket::bind(bind).ok()?;
    sock.connect(probe).ok()?;
    let ip = sock.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

enum Input {
    Frame(Vec<u8>),
    /// An oversized or empty frame: the stream cannot be trusted any further.
    BadFrame,
    Lost,
    Decision(Decision),
}

/// Hands the person's decisions to a running [`Driver`] (from any thread).
#[derive(Clone, Debug)]
pub struct DecisionSender(Sender<Input>);

impl core::fmt::Debug for Input {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Frame(b) => write!(f, "Frame({} bytes)", b.len()),
            Self::BadFrame => f.write_str("BadFrame"),
            Self::Lost => f.write_str("Lost"),
            Self::Decision(d) => write!(f, "Decision({d:?})"),
        }
    }
}

impl DecisionSender {
    /// Delivers a decision; returns false when the run already ended.
    pub fn send(&self, decision: Decision) -> bool {
        self.0.send(Input::Decision(decision)).is_ok()
    }
}

/// Runs one session over one connection.
#[derive(Debug)]
pub struct Driver {
    conn: Connection,
    rx: Receiver<Input>,
    tx: Sender<Input>,
    reader: Option<JoinHandle<()>>,
}

impl Driver {
    /// Starts the reader thread of `conn`.
    pub fn start(conn: Connection) -> Result<Self, NetError> {
        let (tx, rx) = mpsc::channel();
        let mut read_half = conn
            .stream
            .try_clone()
            .map_err(io_err("cloning the socket"))?;
        // The reader waits as long as the session allows; the state machine owns timeouts.
        read_half
            .set_read_timeout(None)
            .map_err(io_err("setting the read timeout"))?;
        let reader_tx = tx.clone();
        let reader = std::thread::spawn(move || {
            loop {
                match read_frame(&mut read_half) {
                    Ok(frame) => {
                        if reader_tx.send(Input::Frame(frame)).is_err() {
                            break;
                        }
                    }
                    Err(NetError::FrameTooLarge { .. } | NetError::EmptyFrame) => {
                        let _ = reader_tx.send(Input::BadFrame);
                        break;
                    }
                    Err(_) => {
                        let _ = reader_tx.send(Input::Lost);
                        break;
                    }
                }
            }
        });
        Ok(Self {
            conn,
            rx,
            tx,
            reader: Some(reader),
        })
    }

    /// A handle to deliver decisions while [`Self::run`] runs.
    pub fn decisions(&self) -> DecisionSender {
        DecisionSender(self.tx.clone())
    }

    /// Sends `initial` (e.g. the initiator's Commit), then feeds the state machine until the
    /// run ends; `on_phase` sees every new phase. Returns the final phase (verified or
    /// cancelled) and shuts the connection down.
    ///
    /// Messages the session ignores (forged, replayed, unreadable) change nothing; each is
    /// reported to `on_ignored`.
    pub fn run(
        mut self,
        session: &mut SasSession,
        clock: &Clock,
        initial: Output,
        mut on_phase: impl FnMut(&Phase),
        mut on_ignored: impl FnMut(&Ignored),
    ) -> Phase {
        let mut last = None;
        let mut out = initial;
        loop {
            for msg in &out.send {
                if self.conn.send(msg).is_err() {
                    out = session.connection_lost();
                    break;
                }
            }
            if let Some(why) = &out.ignored {
                on_ignored(why);
            }
            if last.as_ref() != Some(&out.phase) {
                on_phase(&out.phase);
                last = Some(out.phase.clone());
            }
            if matches!(out.phase, Phase::Verified { .. } | Phase::Cancelled { .. }) {
                self.finish();
                return out.phase;
            }
            let wait = clock.until(session.deadline_ms());
            out = match self.rx.recv_timeout(wait) {
                Ok(Input::Frame(bytes)) => session.receive(&bytes, clock.now_ms()),
                Ok(Input::Decision(d)) => session.decide(d, clock.now_ms()),
                Ok(Input::BadFrame) => session.reject_frame(),
                Ok(Input::Lost) | Err(RecvTimeoutError::Disconnected) => session.connection_lost(),
                Err(RecvTimeoutError::Timeout) => session.tick(clock.now_ms()),
            };
        }
    }

    /// Half-closes, lets the peer read our last frame, then closes.
    fn finish(mut self) {
        let _ = self.conn.stream.shutdown(Shutdown::Write);
        let end = Instant::now() + LINGER;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(Input::Lost | Input::BadFrame) | Err(_) => break,
                Ok(_) => {}
            }
        }
        self.conn.shutdown();
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn frames_round_trip_and_oversize_is_refused_before_reading() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"hello").unwrap();
        assert_eq!(read_frame(&mut &buf[..]).unwrap(), b"hello");
        let big = vec![0u8; MAX_FRAME_LEN + 1];
        assert!(matches!(
            write_frame(&mut Vec::new(), &big),
            Err(NetError::FrameTooLarge { .. })
        ));
        let mut hdr = u32::MAX.to_be_bytes().to_vec();
        hdr.extend_from_slice(b"xx");
        assert!(matches!(
            read_frame(&mut &hdr[..]),
            Err(NetError::FrameTooLarge { .. })
        ));
        assert!(matches!(
            read_frame(&mut &[0u8, 0, 0, 0][..]),
            Err(NetError::EmptyFrame)
        ));
        assert!(matches!(
            read_frame(&mut &[0u8, 0, 0, 9, 1][..]),
            Err(NetError::Closed)
        ));
        assert!(matches!(read_frame(&mut &[][..]), Err(NetError::Closed)));
    }

    #[test]
    fn clock_counts_milliseconds() {
        let c = Clock::new();
        let a = c.now_ms();
        std::thread::sleep(Duration::from_millis(20));
        assert!(c.now_ms() >= a + 20);
        assert_eq!(c.until(0), Duration::ZERO);
    }
}
