"""Builds the two-account test world on a moto server and prints it as JSON.

Usage: python world.py ENDPOINT_URL

Runs against a fresh moto (authentication still off), creates every user, role and
policy, obtains a session for the instance role, then turns moto's IAM enforcement on
(`POST /moto-api/reset-auth` with body `0`). Output (stdout, one JSON object) holds the
static keys and sessions the tests need; nothing else is printed there.

Moto files a request under the account named by the `x-moto-account-id` header, so the
world is placed in 111111111111 and 222222222222 by sending that header.
"""

import json
import sys
import urllib.request

import boto3

SOURCE = "111111111111"
TARGET = "222222222222"
# A third account with an IAM alias: dana may read it (iam:ListAccountAliases), erin may not.
ALIASED = "333333333333"
ALIAS = "rswitch-aliased"
EXTERNAL_ID = "rswitch-ext-7731"


def arn(account, kind, name):
    return f"arn:aws:iam::{account}:{kind}/{name}"


def client(endpoint, service, account):
    c = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="world-builder",
        aws_secret_access_key="world-builder",
    )

    def add_account(request, **_):
        request.headers["x-moto-account-id"] = account

    c.meta.events.register("before-sign.*.*", add_account)
    return c


def allow_assume(*roles):
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(roles)}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return policy(statement)


def main():
    endpoint = sys.argv[1].rstrip("/")
    iam1 = client(endpoint, "iam", SOURCE)
    iam2 = client(endpoint, "iam", TARGET)
    alice = arn(SOURCE, "user", "alice")
    carol = arn(SOURCE, "user", "carol")
    switch_from = arn(SOURCE, "role", "SwitchFromRole")
    switch_to = arn(TARGET, "role", "SwitchToRole")
    switch_to2 = arn(TARGET, "role", "SwitchToRole2")
    forbidden = arn(TARGET, "role", "ForbiddenRole")
    deploy = arn(TARGET, "role", "Deploy")
    local_admin = arn(SOURCE, "role", "LocalAdmin")
    external = arn(SOURCE, "role", "ExternalIdRole")

    # Identity policies: what each caller may assume.
    deny_forbidden = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": forbidden}
    alice_policy = policy(
        allow_assume(switch_to, arn(TARGET, "role", "Forbidden*"), local_admin, external),
        deny_forbidden,
    )
    for name, doc in [("alice", alice_policy), ("carol", policy(allow_assume(switch_to))), ("ops", None)]:
        iam1.create_user(UserName=name)
        if doc:
            iam1.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=doc)
    keys = {}
    for name in ["alice", "carol"]:
        k = iam1.create_access_key(UserName=name)["AccessKey"]
        keys[name] = {"access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"]}

    def role(iam, name, trust_doc, identity=None):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc)
        if identity:
            iam.put_role_policy(RoleName=name, PolicyName="assume", PolicyDocument=identity)

    role(
        iam1,
        "SwitchFromRole",
        trust({"Service": "ec2.amazonaws.com"}),
        policy(allow_assume(switch_to, arn(TARGET, "role", "Forbidden*")), deny_forbidden),
    )
    # Same-account trust that names another user: alice's own Allow is not enough.
    role(iam1, "LocalAdmin", trust({"AWS": arn(SOURCE, "user", "ops")}))
    role(iam1, "ExternalIdRole", trust({"AWS": alice}, {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}))
    callers = {"AWS": [alice, carol, switch_from]}
    role(iam2, "SwitchToRole", trust(callers), policy(allow_assume(deploy)))
    role(iam2, "SwitchToRole2", trust(callers))
    role(iam2, "ForbiddenRole", trust(callers))
    # Real AWS would match any session of SwitchToRole; moto compares principals literally,
    # so the trust names "*" and narrows with a condition moto does not evaluate.
    role(iam2, "Deploy", trust({"AWS": "*"}, {"ArnEquals": {"aws:PrincipalArn": switch_to}}))

    iam3 = client(endpoint, "iam", ALIASED)
    iam3.create_account_alias(AccountAlias=ALIAS)
    list_aliases = {"Effect": "Allow", "Action": "iam:ListAccountAliases", "Resource": "*"}
    for name, doc in [("dana", policy(list_aliases)), ("erin", None)]:
        iam3.create_user(UserName=name)
        if doc:
            iam3.put_user_policy(UserName=name, PolicyName="aliases", PolicyDocument=doc)
        k = iam3.create_access_key(UserName=name)["AccessKey"]
        keys[name] = {"access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"]}

    sts = client(endpoint, "sts", SOURCE)
    c = sts.assume_role(RoleArn=switch_from, RoleSessionName="i-0123456789abcdef0")["Credentials"]
    instance = {
        "access_key_id": c["AccessKeyId"],
        "secret_access_key": c["SecretAccessKey"],
        "session_token": c["SessionToken"],
    }

    req = urllib.request.Request(
        endpoint + "/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST"
    )
    urllib.request.urlopen(req, timeout=10).read()

    print(
        json.dumps(
            {
                "endpoint": endpoint,
                "source_account": SOURCE,
                "target_account": TARGET,
                "external_id": EXTERNAL_ID,
                "alice": dict(keys["alice"], arn=alice),
                "carol": dict(keys["carol"], arn=carol),
                "aliased_account": ALIASED,
                "alias": ALIAS,
                "dana": dict(keys["dana"], arn=arn(ALIASED, "user", "dana")),
                "erin": dict(keys["erin"], arn=arn(ALIASED, "user", "erin")),
                "instance_role": dict(instance, name="SwitchFromRole", arn=switch_from),
                "roles": {
                    "switch_from": switch_from,
                    "switch_to": switch_to,
                    "switch_to2": switch_to2,
                    "forbidden": forbidden,
                    "deploy": deploy,
                    "local_admin": local_admin,
                    "external_id": external,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
