"""The Azure SDK for Python's health check of one load balancing rule, timed.

`cargo xtask bench` runs this beside LB Health against the same fake Azure server
(xtask/src/bench/sdk.rs). One argument, JSON: base_url, token, subscription,
resource_group, load_balancer, rule. Prints one line of JSON: seconds from the call to
the result, and the number of backends in it.
"""

import json
import sys
import time

from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.network import NetworkManagementClient


class StaticBearer(SansIOHTTPPolicy):
    """Sends a fixed token. The SDK's own bearer policy insists on https, and the fake
    server listens on plain http on 127.0.0.1."""

    def __init__(self, token):
        super().__init__()
        self._token = token

    def on_request(self, request):
        request.http_request.headers["Authorization"] = "Bearer " + self._token


def main():
    a = json.loads(sys.argv[1])
    client = NetworkManagementClient(
        # Not used: the authentication policy below replaces the credential's.
        credential=object(),
        subscription_id=a["subscription"],
        base_url=a["base_url"],
        authentication_policy=StaticBearer(a["token"]),
    )
    ops = client.load_balancer_load_balancing_rules
    start = time.perf_counter()
    result = ops.begin_health(a["resource_group"], a["load_balancer"], a["rule"]).result()
    seconds = time.perf_counter() - start
    backends = len(result.load_balancer_backend_addresses or [])
    print(json.dumps({"seconds": seconds, "backends": backends}))


if __name__ == "__main__":
    main()
