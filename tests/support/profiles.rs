//! The standard e2e config: one profile per situation of the two-account world, written
//! into a fresh [`Home`]. Shared by the e2e tests and `examples/testkit.rs`.

use super::{Home, Stack};

/// A HOME whose config holds one profile per situation of the world, every STS call
/// going to `endpoint` (moto itself or a proxy in front of it).
pub fn world_home(stack: &Stack, endpoint: &str) -> Home {
    let w = &stack.world;
    let r = &w.roles;
    let home = Home::new();
    let process = home.script(
        "carol-creds.sh",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' '{{\"Version\": 1, \"AccessKeyId\": \"{}\", \"SecretAccessKey\": \"{}\"}}'\n",
            w.carol.access_key_id, w.carol.secret_access_key
        ),
    );
    let role = |name: &str, arn: &str, source: &str, extra: &str| {
        format!(
            "[profile {name}]\nrole_arn = {arn}\nsource_profile = {source}\nregion = eu-west-1\n\
             endpoint_url = {endpoint}\n{extra}\n"
        )
    };
    let mut config = format!("[profile alice]\nregion = us-east-1\nendpoint_url = {endpoint}\n\n");
    config += &role("switch-to", &r.switch_to, "alice", "");
    config += &role("deploy", &r.deploy, "switch-to", "");
    config += &role("switch-to2", &r.switch_to2, "alice", "");
    config += &role("forbidden", &r.forbidden, "alice", "");
    config += &role("local-admin", &r.local_admin, "alice", "");
    config += &role("chain-denied", &r.switch_to2, "switch-to", "");
    let ext = format!("external_id = {}\n", w.external_id);
    config += &role("ext-id", &r.external_id, "alice", &ext);
    config += &role(
        "ext-id-wrong",
        &r.external_id,
        "alice",
        "external_id = wrong-id\n",
    );
    config += &role("self-ref", &r.switch_to, "self-ref", "");
    config += &format!(
        "[profile instance]\nrole_arn = {}\ncredential_source = Ec2InstanceMetadata\n\
         ec2_metadata_service_endpoint = {}\nregion = eu-west-1\nendpoint_url = {endpoint}\n\n",
        r.switch_to,
        stack.imds_url()
    );
    // The AWS CLI and SDKs read the IMDS endpoint from the profile being resolved, so a
    // chain on top of an instance profile names it too (as on EC2, where it is global).
    let imds = format!("ec2_metadata_service_endpoint = {}\n", stack.imds_url());
    config += &role("instance-deploy", &r.deploy, "instance", &imds);
    config += &format!(
        "[profile carol]\ncredential_process = {}\nregion = us-east-1\nendpoint_url = {endpoint}\n\n",
        process.display()
    );
    config += &role("carol-switch", &r.switch_to, "carol", "");
    home.config(&config);
    let keys = |name: &str, u: &super::world::User| {
        format!(
            "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
            u.access_key_id, u.secret_access_key
        )
    };
    home.credentials(&(keys("alice", &w.alice) + &keys("self-ref", &w.alice)));
    home
}
