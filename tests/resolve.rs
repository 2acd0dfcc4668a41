//! The resolver against the in-process demo STS (a real STS-compatible server on
//! loopback, with SigV4 and IAM policy evaluation): hops shared by several profiles are
//! asked once, a cached credential STS rejects is evicted and its role assumed again,
//! and one MFA session serves later resolutions. The demo STS counts the requests it
//! receives, so every test asserts the calls made, not only the result.

use rswitch::cache::{Cache, CachedRole};
use rswitch::creds::{Credentials, Secret};
use rswitch::fake_aws::{self, Demo};
use rswitch::resolve::{MfaPrompt, Resolver, ResolverOptions, Status, cache_key};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

fn resolver(demo: &Demo, cache: Option<Cache>) -> Resolver {
    let set = Arc::new(rswitch::config::load(&demo.env).expect("demo config"));
    Resolver::new(
        set,
        demo.env.clone(),
        ResolverOptions {
            timeout: Duration::from_secs(10),
            concurrency: 4,
            cache,
        },
    )
}

/// An MFA prompt that answers the demo device's code and counts how often it was asked.
fn counting_prompt() -> (MfaPrompt, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let prompt: MfaPrompt = Arc::new(move |_, _| {
        counter.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok("123456".to_string()) })
    });
    (prompt, asked)
}

#[tokio::test]
async fn a_hop_shared_by_several_profiles_is_resolved_once() {
    let demo = fake_aws::start().await.expect("demo starts");
    let resolver = Arc::new(resolver(&demo, None));
    // prod-deploy chains through prod; alice (static keys) is named by GetCallerIdentity.
    let names = ["prod", "prod-deploy", "prod", "alice", "alice", "prod-deploy"];
    let results = resolver
        .resolve_many(names.iter().map(|n| n.to_string()).collect())
        .await;
    for (name, r) in names.iter().zip(&results) {
        assert_eq!(r.profile, *name);
        assert_eq!(r.status(), Status::Ok, "{name}: {:?}", r.failure());
    }
    let sts = demo.sts();
    // SwitchToRole once (shared by prod and prod-deploy), Deploy once.
    assert_eq!(sts.calls("AssumeRole"), 2);
    assert_eq!(sts.calls("GetCallerIdentity"), 1);
    // The shared hop hands the same credentials to every profile that goes through it.
    let key = |i: usize| {
        results[i]
            .outcome
            .as_ref()
            .unwrap()
            .credentials
            .access_key_id
            .clone()
    };
    assert_eq!(key(0), key(2));
    assert_eq!(results[1].hops[1].expiration, results[0].hops[1].expiration);

    // A second pass costs nothing; after `forget` the hops are asked again.
    let again = resolver.resolve("prod-deploy").await;
    assert_eq!(again.status(), Status::Ok);
    assert_eq!(sts.calls("AssumeRole"), 2);
    resolver.forget();
    assert_eq!(resolver.resolve("prod-deploy").await.status(), Status::Ok);
    assert_eq!(sts.calls("AssumeRole"), 4);
}

#[tokio::test]
async fn a_cached_credential_sts_rejects_is_evicted_and_the_role_assumed_again() {
    let demo = fake_aws::start().await.expect("demo starts");
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let resolver = resolver(&demo, Some(cache.clone()));
    let plan = resolver.catalog().planned("prod-deploy").expect("plans");
    let prod_key = cache_key(&plan.hops[0]);
    // A revoked session for prod's role, still valid by its expiration.
    let expiration = SystemTime::now() + Duration::from_secs(3600);
    let bogus = CachedRole {
        credentials: Credentials {
            access_key_id: "ASIAREVOKED000000000".into(),
            secret_access_key: Secret::new("revoked"),
            session_token: Some(Secret::new("revoked-token")),
            expiration: Some(expiration),
        },
        assumed_role_arn: "arn:aws:sts::222222222222:assumed-role/SwitchToRole/alice".into(),
        assumed_role_id: "AROAREVOKED:alice".into(),
        expiration,
    };
    cache.put(&prod_key, &bogus).unwrap();
    assert!(cache.get(&prod_key, SystemTime::now()).is_some());

    let r = resolver.resolve("prod-deploy").await;
    assert_eq!(r.status(), Status::Ok, "{:?}", r.failure());
    assert!(
        r.hops.iter().all(|h| !h.cached),
        "the second attempt reads no cache"
    );
    // Deploy refused with the revoked caller, then SwitchToRole and Deploy once each.
    assert_eq!(demo.sts().calls("AssumeRole"), 3);
    let kept = cache.get(&prod_key, SystemTime::now()).expect("a fresh entry");
    assert_ne!(kept.credentials.access_key_id, bogus.credentials.access_key_id);

    // The fresh entry now serves a new resolver without a call for prod.
    let warm = self::resolver(&demo, Some(cache.clone()));
    let r = warm.resolve("prod-deploy").await;
    assert_eq!(r.status(), Status::Ok);
    assert!(r.hops[1].cached && r.hops[2].cached);
    assert_eq!(demo.sts().calls("AssumeRole"), 3);
}

#[tokio::test]
async fn one_mfa_session_serves_later_resolutions() {
    let demo = fake_aws::start().await.expect("demo starts");
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let (prompt, asked) = counting_prompt();
    let resolver = resolver(&demo, Some(cache.clone())).with_mfa_prompt(prompt);
    let sts = demo.sts();

    let first = resolver.resolve("prod-mfa").await;
    assert_eq!(first.status(), Status::Ok, "{:?}", first.failure());
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(sts.calls("GetSessionToken"), 1);
    assert_eq!(sts.calls("AssumeRole"), 1);

    // Memo and role cache gone: the kept session assumes the role again, no new code.
    let plan = resolver.catalog().planned("prod-mfa").expect("plans");
    cache.remove(&cache_key(&plan.hops[0])).unwrap();
    resolver.forget();
    let second = resolver.resolve("prod-mfa").await;
    assert_eq!(second.status(), Status::Ok, "{:?}", second.failure());
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(sts.calls("GetSessionToken"), 1);
    assert_eq!(sts.calls("AssumeRole"), 2);

    // A new resolver (a new command) finds the session in the cache directory.
    cache.remove(&cache_key(&plan.hops[0])).unwrap();
    let (prompt, asked_later) = counting_prompt();
    let later = self::resolver(&demo, Some(cache.clone())).with_mfa_prompt(prompt);
    let third = later.resolve("prod-mfa").await;
    assert_eq!(third.status(), Status::Ok, "{:?}", third.failure());
    assert_eq!(asked_later.load(Ordering::SeqCst), 0);
    assert_eq!(sts.calls("GetSessionToken"), 1);
    assert_eq!(sts.calls("AssumeRole"), 3);
}
