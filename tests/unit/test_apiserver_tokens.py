import base64
import json

from cryptography.hazmat.primitives.asymmetric import ec

from minicube.apiserver.tokens import ISSUER, TokenIssuer

KEY = ec.generate_private_key(ec.SECP256R1())


def _claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_an_issued_token_names_the_account_until_it_expires() -> None:
    issuer = TokenIssuer(KEY)
    token, expiry = issuer.issue("ns", "robot", "uid-1", ["api"], 600, now=1000)
    assert expiry == 1600
    claims = _claims(token)
    assert claims["iss"] == ISSUER and claims["aud"] == ["api"]
    assert claims["kubernetes.io"] == {"namespace": "ns", "serviceaccount": {"name": "robot", "uid": "uid-1"}}
    assert issuer.verify(token, now=1599) == "system:serviceaccount:ns:robot"
    assert issuer.verify(token, now=1600) is None and issuer.verify(token, now=999) is None


def test_tampered_foreign_or_malformed_tokens_are_refused() -> None:
    issuer = TokenIssuer(KEY)
    token, _ = issuer.issue("ns", "robot", "u", ["api"], 600, now=1000)
    header, _claims_part, sig = token.split(".")
    forged_claims = base64.urlsafe_b64encode(json.dumps(
        {**_claims(token), "sub": "system:serviceaccount:kube-system:admin"}).encode()).rstrip(b"=").decode()
    assert issuer.verify(f"{header}.{forged_claims}.{sig}", now=1001) is None
    other = TokenIssuer(ec.generate_private_key(ec.SECP256R1()))
    assert other.verify(token, now=1001) is None
    for junk in ("", "a.b", "a.b.c", "x" * 40):
        assert issuer.verify(junk, now=1001) is None
