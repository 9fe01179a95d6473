//! Vectors of the SAS protocol (`tests/vectors/sas_protocol.json`): Matrix's bytes → emoji /
//! decimal mapping, the v2 key schedule, the message layouts and tags, the join code and a
//! whole seeded run, all computed by an independent Python implementation
//! (`tests/vectors/sas_protocol_gen.py`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use serde_json::Value;
use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::sas::hazmat::schedule::{
    JoinKeys, Role, SessionKeys, Transcript, commitment, signature_input,
};
use verifier_core::sas::hazmat::wire::{Body, Epoch, Frame, Message};
use verifier_core::sas::{
    Decision, Extensions, JoinCode, JoinSecret, Phase, SasCode, SasConfig, SasSession,
};

fn load() -> Value {
    let path = verifier_tests::vectors_dir().join("sas_protocol.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn hex_arr<const N: usize>(v: &Value) -> [u8; N] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn nums<T: TryFrom<u64>>(v: &Value) -> Vec<T> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| T::try_from(x.as_u64().unwrap()).ok().unwrap())
        .collect()
}

fn key(v: &Value) -> PublicKey {
    PublicKey::from_bytes(KeyType::Ed25519, &hex::decode(v.as_str().unwrap()).unwrap()).unwrap()
}

#[test]
fn matrix_bytes_to_emoji_and_decimals() {
    let v = load();
    let cases = v["matrix_mapping"]["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let code = SasCode::from_bytes(hex_arr(&case["sas_bytes_hex"]), 48);
        assert_eq!(
            code.emoji_indices().to_vec(),
            nums::<u8>(&case["emoji_indices"]),
            "{case}"
        );
        assert_eq!(
            code.decimals().to_vec(),
            nums::<u16>(&case["decimals"]),
            "{case}"
        );
    }
}

fn hex_vec(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

struct Inputs {
    flow_id: [u8; 16],
    id_i: PublicKey,
    id_r: PublicKey,
    eph_i: [u8; 32],
    eph_r: [u8; 32],
    shared: [u8; 32],
    ext_i: Vec<u8>,
    ext_r: Vec<u8>,
    join_secret: [u8; 8],
}

fn inputs(v: &Value) -> Inputs {
    let inp = &v["key_schedule"]["inputs"];
    assert_eq!(inp["protocol_version"], 2);
    Inputs {
        flow_id: hex_arr(&inp["flow_id_hex"]),
        id_i: key(&inp["initiator_identity_ed25519_hex"]),
        id_r: key(&inp["responder_identity_ed25519_hex"]),
        eph_i: hex_arr(&inp["initiator_ephemeral_public_hex"]),
        eph_r: hex_arr(&inp["responder_ephemeral_public_hex"]),
        shared: hex_arr(&inp["shared_secret_hex"]),
        ext_i: hex_vec(&inp["initiator_extensions_hex"]),
        ext_r: hex_vec(&inp["responder_extensions_hex"]),
        join_secret: hex_arr(&inp["join_secret_hex"]),
    }
}

fn transcript(i: &Inputs, sas_bits: u8) -> Transcript {
    Transcript {
        flow_id: i.flow_id,
        sas_bits,
        initiator: i.id_i,
        responder: i.id_r,
        initiator_ephemeral: i.eph_i,
        responder_ephemeral: i.eph_r,
        commitment: commitment(&i.flow_id, sas_bits, &i.id_i, &i.eph_i, &i.ext_i),
        initiator_extensions: i.ext_i.clone(),
        responder_extensions: i.ext_r.clone(),
    }
}

#[test]
fn key_schedule() {
    let v = load();
    let i = inputs(&v);
    let runs = v["key_schedule"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for run in runs {
        let sas_bits = u8::try_from(run["sas_bits"].as_u64().unwrap()).unwrap();
        let t = transcript(&i, sas_bits);
        assert_eq!(
            hex::encode(t.commitment),
            run["commitment_hex"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(t.hash()),
            run["transcript_hash_hex"].as_str().unwrap()
        );
        let keys = SessionKeys::derive(&i.shared, &t);
        assert_eq!(
            hex::encode(keys.sas_bytes()),
            run["sas_bytes_hex"].as_str().unwrap()
        );
        let code = SasCode::from_bytes(keys.sas_bytes(), sas_bits);
        assert_eq!(
            code.word_indices().to_vec(),
            nums::<u16>(&run["word_indices"])
        );
        assert_eq!(
            code.emoji_indices().to_vec(),
            nums::<u8>(&run["emoji_indices"])
        );
        assert_eq!(code.decimals().to_vec(), nums::<u16>(&run["decimals"]));
        assert_eq!(
            hex::encode(keys.identity_mac(Role::Initiator, &i.id_i)),
            run["mac_initiator_hex"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(keys.identity_mac(Role::Responder, &i.id_r)),
            run["mac_responder_hex"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(signature_input(Role::Initiator, &t.hash())),
            run["signature_input_initiator_hex"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(signature_input(Role::Responder, &t.hash())),
            run["signature_input_responder_hex"].as_str().unwrap()
        );
    }
}

#[test]
fn message_layouts_and_tags() {
    let v = load();
    let i = inputs(&v);
    let t = transcript(&i, 48);
    let keys = SessionKeys::derive(&i.shared, &t);
    let join = JoinKeys::derive(&i.join_secret);
    for m in v["messages"].as_array().unwrap() {
        let bytes = hex_vec(&m["hex"]);
        let body = match m["kind"].as_str().unwrap() {
            "commit" => Body::Commit {
                sas_bits: 48,
                identity: i.id_i,
                commitment: t.commitment,
                extensions: Extensions::decode(&i.ext_i).unwrap(),
            },
            "accept" => Body::Accept {
                identity: i.id_r,
                ephemeral: i.eph_r,
                extensions: Extensions::decode(&i.ext_r).unwrap(),
            },
            "reveal" => Body::Reveal { ephemeral: i.eph_i },
            "confirm" => Body::Confirm {
                mac: hex_arr(&m["mac_hex"]),
                signature: hex_arr(&m["signature_hex"]),
            },
            "cancel" => Body::Cancel { code: 1 },
            other => panic!("unknown kind {other}"),
        };
        let role = match m["from"].as_str().unwrap() {
            "initiator" => Role::Initiator,
            _ => Role::Responder,
        };
        let (epoch, key) = match m["epoch"].as_u64().unwrap() {
            0 => (Epoch::Join, join.key(role)),
            _ => (Epoch::Session, keys.tag_key(role)),
        };
        let msg = Message {
            flow_id: i.flow_id,
            seq: u8::try_from(m["seq"].as_u64().unwrap()).unwrap(),
            epoch,
            body,
        };
        assert_eq!(msg.encode(key), bytes, "{m}");
        let frame = Frame::decode(&bytes).unwrap();
        assert!(frame.verify(key), "{m}");
        assert!(!frame.verify(join.key(role.peer())), "{m}");
        assert_eq!(frame.into_message(), msg);
    }
}

#[test]
fn join_codes() {
    let v = load();
    let i = inputs(&v);
    for j in v["join_code"].as_array().unwrap() {
        let code = JoinCode::new(
            j["addr"].as_str().unwrap().parse().unwrap(),
            JoinSecret::from_bytes(i.join_secret),
        );
        assert_eq!(
            hex::encode(code.to_bytes()),
            j["bytes_hex"].as_str().unwrap()
        );
        assert_eq!(code.to_text(), j["text"].as_str().unwrap());
        assert_eq!(JoinCode::parse(j["text"].as_str().unwrap()).unwrap(), code);
    }
}

#[test]
fn a_whole_seeded_run_is_byte_identical() {
    let v = load();
    let r = &v["seeded_run"];
    let inp = &v["key_schedule"]["inputs"];
    let alice = Identity::from_bytes(&hex_arr(&inp["initiator_identity_seed_hex"])).unwrap();
    let bob = Identity::from_bytes(&hex_arr(&inp["responder_identity_seed_hex"])).unwrap();
    let cfg = SasConfig::default()
        .with_rendering(r["initiator_rendering"].as_str().unwrap())
        .unwrap();
    let (mut host, out) =
        SasSession::initiate_seeded(&alice, cfg, &hex_arr(&r["initiator_seed_hex"]), 0);
    let code = host
        .join_code(r["join_addr"].as_str().unwrap().parse().unwrap())
        .unwrap();
    assert_eq!(code.to_text(), r["join_code_text"].as_str().unwrap());
    assert_eq!(
        hex::encode(host.flow_id()),
        r["flow_id_hex"].as_str().unwrap()
    );
    let mut joiner = SasSession::respond_seeded(
        &bob,
        SasConfig::default(),
        &JoinCode::parse(&code.to_text()).unwrap(),
        &hex_arr(&r["responder_seed_hex"]),
        0,
    );
    let want: Vec<Vec<u8>> = r["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| hex_vec(&m["hex"]))
        .collect();
    let commit = out.send;
    let accept = joiner.receive(&commit[0], 0).send;
    let reveal = host.receive(&accept[0], 0).send;
    joiner.receive(&reveal[0], 0);
    let Phase::Compare { sas, rendering, .. } = joiner.phase() else {
        panic!("not comparing")
    };
    assert_eq!(
        hex::encode(sas.bytes()),
        r["sas_bytes_hex"].as_str().unwrap()
    );
    assert_eq!(sas.word_indices().to_vec(), nums::<u16>(&r["word_indices"]));
    assert_eq!(rendering.as_deref(), Some("words:bip39:en"));
    let host_confirm = host.decide(Decision::Match, 0).send;
    let joiner_confirm = joiner.decide(Decision::Match, 0).send;
    let got = [
        &commit[0],
        &accept[0],
        &reveal[0],
        &host_confirm[0],
        &joiner_confirm[0],
    ];
    for (n, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(hex::encode(g), hex::encode(w), "message {n}");
    }
    joiner.receive(&host_confirm[0], 0);
    host.receive(&joiner_confirm[0], 0);
    let evidence = host.evidence().unwrap();
    assert_eq!(evidence.key(), &bob.public_key());
    assert!(matches!(joiner.phase(), Phase::Verified { .. }));
}
