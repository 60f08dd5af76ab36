"""How description tables are spelled, and the pieces every kind shares.

A table maps a dotted field path, as `kubectl explain` spells it (`spec.template.spec`;
arrays and maps are stepped through transparently), to a short text; the empty path is the
kind (or the shared structure) itself. Shared structures are described once and re-rooted
with `under` wherever a kind embeds them.
"""

from __future__ import annotations

Descriptions = dict[str, str]


def under(prefix: str, texts: Descriptions) -> Descriptions:
    """`texts` re-rooted at `prefix`; their "" entry describes the field `prefix` itself."""
    return {(f"{prefix}.{path}" if path else prefix): text for path, text in texts.items()}


def merged(*tables: Descriptions) -> Descriptions:
    out: Descriptions = {}
    for table in tables:
        out.update(table)
    return out


OWNER_REFERENCE: Descriptions = {
    "apiVersion": "API version of the owning object, for example apps/v1.",
    "kind": "Kind of the owning object, for example ReplicaSet.",
    "name": "Name of the owning object, in the same namespace as this one.",
    "uid": "UID of the owning object; a reference whose owner no longer has this UID counts "
           "as dangling and the garbage collector removes the dependent.",
    "controller": "True on the one owner that manages this object (at most one reference "
                  "may set it).",
    "blockOwnerDeletion": "When true, a foreground deletion of the owner waits until this "
                          "dependent is gone.",
}

OBJECT_META: Descriptions = {
    "": "Identity and bookkeeping shared by every object: name, namespace, labels, "
        "annotations, owners and the server-managed fields.",
    "name": "Name of the object, unique among objects of this kind in its namespace (or in "
            "the cluster for cluster-scoped kinds). Usually a DNS subdomain; cannot change.",
    "generateName": "Prefix used to make up a unique name when `name` is empty: the server "
                    "appends five random characters.",
    "namespace": "Namespace the object lives in; empty for cluster-scoped kinds. Defaults to "
                 "the namespace of the request (kubectl: the context's, else `default`).",
    "selfLink": "Deprecated and always left empty by the server.",
    "uid": "Unique identifier the server assigns at creation (a UUID); a deleted and "
           "re-created object gets a new one. Read-only.",
    "resourceVersion": "Opaque version string that changes on every write. Sent back on "
                       "update for optimistic concurrency: a stale value gets 409 Conflict.",
    "generation": "Counter the server increments each time the desired state (usually "
                  "`spec`) changes. Read-only.",
    "creationTimestamp": "When the object was stored, in RFC 3339 UTC. Read-only.",
    "deletionTimestamp": "When deletion was requested (plus any grace period); set by the "
                         "server, and the object stays until its finalizers are all removed.",
    "deletionGracePeriodSeconds": "Seconds the object was given to terminate once deletion "
                                  "started; only set while it is being deleted.",
    "labels": "Key/value pairs used to organise and select objects (label selectors). Keys "
              "are an optional DNS prefix plus a name of up to 63 characters.",
    "annotations": "Free-form key/value metadata for tools and people; not used for "
                   "selection, and values may be large.",
    "ownerReferences": "Objects this one depends on. When every owner is deleted the garbage "
                       "collector deletes this object too.",
    "finalizers": "Names of cleanups that must finish before the object is removed; deletion "
                  "only sets deletionTimestamp until this list is empty.",
    "managedFields": "Which field manager (client) set which fields, recorded for server-side "
                     "apply. Maintained by the server; rarely edited by hand.",
    **under("ownerReferences", OWNER_REFERENCE),
    "managedFields.manager": "Name of the client that owns these fields (kubectl sets "
                             "`kubectl-client-side-apply`, `kubectl-edit`, ...).",
    "managedFields.operation": "How the fields were written: Apply or Update.",
    "managedFields.apiVersion": "API version the field set is expressed in.",
    "managedFields.time": "When this entry last changed.",
    "managedFields.fieldsType": "Format of fieldsV1; always FieldsV1.",
    "managedFields.fieldsV1": "The set of owned fields, as a trie of `f:`, `k:` and `v:` keys.",
    "managedFields.subresource": "Subresource the write went through (for example status); "
                                 "empty for the main resource.",
}

TOP_LEVEL: Descriptions = {
    "apiVersion": "Versioned schema of this object, as group/version (just the version for "
                  "the core group), for example apps/v1.",
    "kind": "Type of this object in CamelCase, for example Deployment.",
    **under("metadata", OBJECT_META),
}

LABEL_SELECTOR: Descriptions = {
    "matchLabels": "Labels an object must carry with exactly these values; each pair is "
                   "the same as a matchExpressions entry with operator In.",
    "matchExpressions": "Extra requirements, all of which must hold (AND-ed with matchLabels).",
    "matchExpressions.key": "Label key the requirement tests.",
    "matchExpressions.operator": "In, NotIn, Exists or DoesNotExist.",
    "matchExpressions.values": "Values for In and NotIn (must be non-empty); must be empty for "
                               "Exists and DoesNotExist.",
}

OBJECT_REFERENCE: Descriptions = {
    "kind": "Kind of the referenced object.",
    "namespace": "Namespace of the referenced object.",
    "name": "Name of the referenced object.",
    "uid": "UID of the referenced object.",
    "apiVersion": "API version of the referenced object.",
    "resourceVersion": "Version of the referenced object that was seen, if relevant.",
    "fieldPath": "A part of the object rather than the whole, such as "
                 "spec.containers{app} for one container of a pod.",
}

CONDITION: Descriptions = {
    "type": "Kind of condition, for example Ready or Available.",
    "status": "True, False or Unknown.",
    "reason": "Machine-readable CamelCase word for the last transition.",
    "message": "Human-readable details about the last transition.",
    "lastTransitionTime": "When status last changed from one value to another.",
}


def conditions(extra: Descriptions | None = None) -> Descriptions:
    """A `conditions` list description, with the common condition fields."""
    return under("conditions", {"": "Latest observations of the object's state, one entry "
                                    "per condition type.", **CONDITION, **(extra or {})})
