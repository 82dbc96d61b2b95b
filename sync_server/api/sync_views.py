"""Blobs, submissions, status feed, heartbeat, handovers and evaluations for enrolled kiosks."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.blueprints import BlueprintSetupState

from shared_schema import Evaluation, Handover, SubmissionManifest
from shared_schema.api import BlobHashes, BlobStored, Heartbeat, MissingBlobs, StatusFeed
from shared_schema.mailing import OriginalMailing
from shared_schema.supplement import LookupRequest, SupplementManifest

from .. import lookup_grant
from ..blobs import check_content_type, check_hash, missing_blobs, store_blob
from ..blobstore import get_store, too_large
from ..db import get_db
from ..errors import ApiError
from ..feed import nothing_new, status_feed, submission_status
from ..fleet import record_evaluation, record_heartbeat
from ..handover import record_handover
from ..ingest import ingest_once
from ..original_mailing import record_mailing
from ..supplement_lookup import look_up
from ..supplements import ingest_supplement_once
from . import bp
from .body import parse_body
from .io import answer, body_chunks, body_deadline, principal
from .params import FEED_AFTER, FEED_LIMIT, RECEIPT


@bp.post("/blobs/missing", endpoint="blobs_missing")
def blobs_missing() -> Response:
    body = parse_body(BlobHashes, "hash list")
    return answer(MissingBlobs(missing=missing_blobs(get_store(), body.hashes)))


@bp.put("/blobs/<blob:sha256>", endpoint="blob_put")
def blob_put(sha256: str) -> Response:
    """Store one page (400 bad hash or hash mismatch, 411, 413, 415)."""
    check_hash(sha256)
    check_content_type(request.content_type)
    limit = current_app.config["MAX_BLOB_BYTES"]
    if request.content_length is None:
        raise ApiError(411, "length_required", "Content-Length is required", "缺少内容长度")
    if request.content_length > limit:
        raise too_large(limit)
    with body_deadline():
        size, created = store_blob(get_store(), sha256, body_chunks(), request.content_type, limit)
    return answer(BlobStored(sha256=sha256, size=size, created=created), 201 if created else 200)


@bp.post("/submissions", endpoint="submissions")
def submissions() -> Response:
    """Commit a manifest: 201 new, 200 replay, 403, 409 conflict, 422 schema or missing blobs."""
    manifest = parse_body(SubmissionManifest, "submission manifest")
    result = ingest_once(get_db(), get_store(), principal(), manifest)
    return answer(result.ack_body, 201 if result.created else 200)


@bp.post("/supplements", endpoint="supplements")
def supplements() -> Response:
    """补正 for a case in 待补正: 201 new, 200 replay, 403, 404, 409, 422."""
    manifest = parse_body(SupplementManifest, "supplement manifest")
    result = ingest_supplement_once(get_db(), get_store(), principal(), manifest)
    return answer(result.ack_body, 201 if result.created else 200)


@bp.record_once
def _check_grant_lifetime(state: BlueprintSetupState) -> None:
    """A bad SUPPLEMENT_GRANT_SECONDS stops the server at start, not the first lookup."""
    lookup_grant.lifetime(state.app.config)


@bp.post("/supplements/lookup", endpoint="supplement_lookup")
def supplement_lookup() -> Response:
    """Another station's case by receipt + ID number: 200, 404 (either wrong), 409, 429."""
    body = parse_body(LookupRequest, "supplement lookup")
    config = current_app.config
    lifetime = lookup_grant.lifetime(config)
    return answer(look_up(get_db(), principal(), body, config["SUPPLEMENT_LOOKUPS_PER_HOUR"], lifetime))


@bp.get("/submissions/<receipt_no>/status", endpoint="submission_status")
def status(receipt_no: str) -> Response:
    RECEIPT.check(receipt_no)
    with get_db().transaction() as session:
        return answer(submission_status(session, principal(), receipt_no))


@bp.get("/status-feed", endpoint="status_feed")
def feed() -> Response:
    after = FEED_AFTER.read(0)
    cap = current_app.config["FEED_PAGE_LIMIT"]
    limit = min(FEED_LIMIT.read(cap), cap)
    if nothing_new(get_db(), principal(), after):  # most polls: one look-up, no transaction
        return answer(StatusFeed(events=[], next=after))
    with get_db().transaction() as session:
        return answer(status_feed(session, principal(), after, limit))


@bp.post("/heartbeat", endpoint="heartbeat")
def heartbeat() -> Response:
    beat = parse_body(Heartbeat, "heartbeat")
    return answer(record_heartbeat(get_db(), principal(), beat))


@bp.post("/evaluations", endpoint="evaluations")
def evaluations() -> Response:
    evaluation = parse_body(Evaluation, "evaluation")
    with get_db().transaction(write=True) as session:
        ack, created = record_evaluation(session, principal(), evaluation)
    return answer(ack, 201 if created else 200)


@bp.post("/handovers", endpoint="handovers")
def handovers() -> Response:
    """送达 at the station: 201 new, 200 replay, 403, 404, 409 conflict / already delivered / not ready."""
    handover = parse_body(Handover, "handover")
    with get_db().transaction(write=True) as session:
        ack, created = record_handover(session, principal(), handover)
    return answer(ack, 201 if created else 200)


@bp.post("/original-mailings", endpoint="original_mailings")
def original_mailings() -> Response:
    """Originals mailed with the transfer slip: 201 new, 200 replay, 403, 404, 409."""
    mailing = parse_body(OriginalMailing, "original mailing")
    with get_db().transaction(write=True) as session:
        ack, created = record_mailing(session, principal(), mailing)
    return answer(ack, 201 if created else 200)
