from minicube.kubelet.envvars import resolve_env
from minicube.kubelet.service_env import service_env


def _svc(ns: str, name: str, ip: str, ports: list[dict]) -> dict:
    return {"metadata": {"namespace": ns, "name": name}, "spec": {"clusterIP": ip, "ports": ports}}


KUBERNETES = _svc("default", "kubernetes", "10.96.0.1", [{"name": "https", "port": 443, "protocol": "TCP"}])
WEB = _svc("app", "my-web", "10.96.5.5", [{"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}])
HEADLESS = _svc("app", "db", "None", [{"port": 5432}])
OTHER = _svc("default", "other", "10.96.7.7", [{"port": 1}])


def _pod(ns: str, links: bool | None = None) -> dict:
    spec = {} if links is None else {"enableServiceLinks": links}
    return {"metadata": {"namespace": ns, "name": "p"}, "spec": spec}


def test_the_api_service_and_the_namespace_services_with_upstream_names() -> None:
    env = service_env(_pod("app"), [KUBERNETES, WEB, HEADLESS, OTHER])
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1" and env["KUBERNETES_SERVICE_PORT"] == "443"
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"
    assert env["KUBERNETES_PORT_443_TCP"] == "tcp://10.96.0.1:443"
    assert env["MY_WEB_SERVICE_PORT"] == "80" and env["MY_WEB_PORT"] == "tcp://10.96.5.5:80"
    assert env["MY_WEB_PORT_53_UDP_PROTO"] == "udp" and env["MY_WEB_PORT_53_UDP_ADDR"] == "10.96.5.5"
    assert not any(k.startswith(("DB_", "OTHER_")) for k in env)  # headless; another namespace


def test_service_links_off_keeps_only_the_api_service() -> None:
    env = service_env(_pod("app", links=False), [KUBERNETES, WEB])
    assert env and all(k.startswith("KUBERNETES_") for k in env)


def test_container_env_wins_and_may_name_service_variables() -> None:
    pod = _pod("app")
    container = {"name": "c", "env": [{"name": "KUBERNETES_SERVICE_PORT", "value": "1"},
                                      {"name": "URL", "value": "https://$(KUBERNETES_SERVICE_HOST)"}]}
    env = dict(resolve_env(pod, container, {}, node_name="n", host_ip="", pod_ip="",
                           services=service_env(pod, [KUBERNETES])))
    assert env["KUBERNETES_SERVICE_PORT"] == "1" and env["URL"] == "https://10.96.0.1"
