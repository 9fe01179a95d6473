//! Vectors of the SAS protocol (`tests/vectors/sas_protocol.json`): Matrix's bytes → emoji /
//! decimal mapping, the key schedule, the message layouts and the join code, all recomputed
//! by an independent Python implementation (`tests/vectors/sas_protocol_gen.py`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use serde_json::Value;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::sas::schedule::{Role, SessionKeys, Transcript, commitment, signature_input};
use verifier_core::sas::wire::Body;
use verifier_core::sas::{JoinCode, Message, SasCode, join_binding_of};

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

#[test]
fn key_schedule() {
    let v = load();
    let inp = &v["key_schedule"]["inputs"];
    let flow_id = hex_arr::<16>(&inp["flow_id_hex"]);
    let (id_i, id_r) = (
        key(&inp["initiator_identity_ed25519_hex"]),
        key(&inp["responder_identity_ed25519_hex"]),
    );
    let eph_i = hex_arr::<32>(&inp["initiator_ephemeral_public_hex"]);
    let eph_r = hex_arr::<32>(&inp["responder_ephemeral_public_hex"]);
    let shared = hex_arr::<32>(&inp["shared_secret_hex"]);
    let runs = v["key_schedule"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for run in runs {
        let sas_bits = u8::try_from(run["sas_bits"].as_u64().unwrap()).unwrap();
        let c = commitment(&flow_id, sas_bits, &id_i, &eph_i);
        assert_eq!(hex::encode(c), run["commitment_hex"].as_str().unwrap());
        let t = Transcript {
            flow_id,
            sas_bits,
            initiator: id_i,
            responder: id_r,
            initiator_ephemeral: eph_i,
            responder_ephemeral: eph_r,
            commitment: c,
        };
        assert_eq!(
            hex::encode(t.hash()),
            run["transcript_hash_hex"].as_str().unwrap()
        );
        let keys = SessionKeys::derive(&shared, &t);
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
        let mac_i = keys.identity_mac(Role::Initiator, &id_i);
        let mac_r = keys.identity_mac(Role::Responder, &id_r);
        assert_eq!(
            hex::encode(mac_i),
            run["mac_initiator_hex"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(mac_r),
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
fn message_layouts() {
    let v = load();
    let inp = &v["key_schedule"]["inputs"];
    let flow_id = hex_arr::<16>(&inp["flow_id_hex"]);
    for m in v["messages"].as_array().unwrap() {
        let bytes = hex::decode(m["hex"].as_str().unwrap()).unwrap();
        let body = match m["kind"].as_str().unwrap() {
            "commit" => Body::Commit {
                sas_bits: 48,
                identity: key(&inp["initiator_identity_ed25519_hex"]),
                commitment: hex_arr(&m["commitment_hex"]),
            },
            "accept" => Body::Accept {
                identity: key(&inp["responder_identity_ed25519_hex"]),
                ephemeral: hex_arr(&inp["responder_ephemeral_public_hex"]),
            },
            "reveal" => Body::Reveal {
                ephemeral: hex_arr(&inp["initiator_ephemeral_public_hex"]),
            },
            "confirm" => Body::Confirm {
                mac: hex_arr(&m["mac_hex"]),
                signature: hex_arr(&m["signature_hex"]),
            },
            "cancel" => Body::Cancel { code: 1 },
            other => panic!("unknown kind {other}"),
        };
        let msg = Message { flow_id, body };
        assert_eq!(msg.encode(), bytes, "{m}");
        assert_eq!(Message::decode(&bytes).unwrap(), msg);
    }
}

#[test]
fn join_codes() {
    let v = load();
    let commit = hex::decode(v["messages"][0]["hex"].as_str().unwrap()).unwrap();
    for j in v["join_code"].as_array().unwrap() {
        let binding = join_binding_of(&commit);
        assert_eq!(hex::encode(binding), j["binding_hex"].as_str().unwrap());
        let code = JoinCode::new(j["addr"].as_str().unwrap().parse().unwrap(), binding);
        assert_eq!(
            hex::encode(code.to_bytes()),
            j["bytes_hex"].as_str().unwrap()
        );
        assert_eq!(code.to_text(), j["text"].as_str().unwrap());
        assert_eq!(JoinCode::parse(j["text"].as_str().unwrap()).unwrap(), code);
    }
}
