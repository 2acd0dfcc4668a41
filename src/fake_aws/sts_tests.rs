use super::*;
use crate::creds::Secret;
use crate::fake_aws::sigv4::testing::signed_request_as;

fn sts() -> Arc<DemoSts> {
    DemoSts::new(Arc::new(World::demo().expect("world")))
}

fn body(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn call(sts: &DemoSts, c: &Credentials, action_body: &str, now: SystemTime) -> Response {
    let token = c.session_token.as_ref().map(|t| t.expose());
    let req = signed_request_as(
        &c.access_key_id,
        c.secret_access_key.expose(),
        token,
        now,
        action_body,
    );
    sts.handle(&req, now)
}

#[test]
fn expired_sessions_are_refused_as_sts_does() {
    let sts = sts();
    let now = SystemTime::now();
    let creds = sts.instance_credentials(now).expect("instance role");
    let ok = call(&sts, &creds, "Action=GetCallerIdentity&Version=2011-06-15", now);
    assert_eq!(ok.status, 200, "{}", body(&ok));
    assert!(
        body(&ok)
            .contains("<Arn>arn:aws:sts::111111111111:assumed-role/SwitchFromRole/i-0abc1234def567890</Arn>")
    );
    let later = now + INSTANCE_SESSION + Duration::from_secs(1);
    let expired = call(&sts, &creds, "Action=GetCallerIdentity&Version=2011-06-15", later);
    assert_eq!(expired.status, 403);
    assert!(
        body(&expired).contains("<Code>ExpiredToken</Code>"),
        "{}",
        body(&expired)
    );
}

#[test]
fn tokens_must_match_their_keys() {
    let sts = sts();
    let now = SystemTime::now();
    let mut creds = sts.instance_credentials(now).expect("instance role");
    creds.session_token = Some(Secret::new("forged"));
    let r = call(&sts, &creds, "Action=GetCallerIdentity", now);
    assert_eq!(r.status, 403);
    assert!(
        body(&r).contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        body(&r)
    );
    // Long-term keys with a session token are just as invalid.
    let alice = &sts.world().user("alice").expect("alice").access_keys[0];
    let long_term = Credentials {
        access_key_id: alice.access_key_id.clone(),
        secret_access_key: alice.secret_access_key.clone(),
        session_token: Some(Secret::new("token")),
        expiration: None,
    };
    assert!(body(&call(&sts, &long_term, "Action=GetCallerIdentity", now)).contains("InvalidClientTokenId"));
}

#[test]
fn unknown_actions_and_missing_auth() {
    let sts = sts();
    let now = SystemTime::now();
    let creds = sts.instance_credentials(now).expect("instance role");
    let r = call(&sts, &creds, "Action=AssumeRoleWithSAML&Version=2011-06-15", now);
    assert_eq!(r.status, 400);
    assert!(body(&r).contains("Could not find operation AssumeRoleWithSAML for version 2011-06-15"));
    let r = call(
        &sts,
        &creds,
        "Action=GetFederationToken&Name=bob&Version=2011-06-15",
        now,
    );
    assert_eq!(r.status, 403);
    assert!(
        body(&r).contains("Cannot call GetFederationToken with session credentials"),
        "{}",
        body(&r)
    );
    let unsigned = Request {
        method: "POST".into(),
        path: "/".into(),
        headers: vec![],
        body: bytes::Bytes::from_static(b"Action=GetCallerIdentity"),
    };
    let r = sts.handle(&unsigned, now);
    assert_eq!(r.status, 403);
    assert!(
        body(&r).contains("<Code>MissingAuthenticationToken</Code>"),
        "{}",
        body(&r)
    );
}

#[test]
fn issued_expirations_are_whole_seconds_and_reported_verbatim() {
    let sts = sts();
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_800_000_000_500);
    let creds = sts.instance_credentials(now).expect("instance role");
    let exp = creds.expiration.expect("expiration");
    assert_eq!(
        exp,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000) + INSTANCE_SESSION
    );
    assert_eq!(crate::creds::rfc3339(exp), "2027-01-15T14:00:00Z");
}
