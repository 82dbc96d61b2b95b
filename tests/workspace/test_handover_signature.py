"""签收 on the touch screen: a handover may carry the recipient's signature strokes (bounded),
the server keeps them with the handover and draws them into the flow card (附录 D) as an
image. A handover without one keeps its old content digest. SQLite and PostgreSQL.
"""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from shared_schema import Handover as HandoverBody
from shared_schema import SubmissionState as S
from shared_schema.signature import MAX_STROKES, Signature, signature_png
from sync_server.db import get_db
from sync_server.handover import content_digest
from sync_server.models import Handover, Submission
from sync_server.workspace import paperwork
from tests.server.test_handovers import _case, _handover

SIGNED = {"width": 400, "height": 200, "strokes": [[[40, 50], [200, 48], [360, 52]], [[200, 20], [202, 180]]]}


def flow_card_images(app, receipt_no: str) -> tuple[list, str]:
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        pdf = PdfReader(io.BytesIO(paperwork.render(session, sub, "flow_card") or b""))
    text = "".join((p.extract_text() or "") for p in pdf.pages)
    return [image for page in pdf.pages for image in page.images], "".join(text.split())


def test_the_signature_is_kept_with_the_handover_and_drawn_on_the_flow_card(app, client, kiosk):
    signed = _case(app, client, kiosk, 1, until=S.completed)
    body = _handover(signed, kiosk, signature=SIGNED)
    first = client.post("/handovers", kiosk, json=body)
    assert first.status_code == 201, first.get_json()
    assert client.post("/handovers", kiosk, json=body).data == first.data  # replay: same signed bytes
    with get_db(app).transaction() as session:
        row = session.scalars(select(Handover).where(Handover.receipt_no == signed.receipt_no)).one()
        assert row.signature == SIGNED
    images, text = flow_card_images(app, signed.receipt_no)
    assert len(images) == 1 and "送达签收（领取人在服务站自助终端签名）" in text
    drawn = images[0].image  # the strokes drawn: dark ink on white, not an empty picture
    assert drawn.size[0] > 0 and drawn.convert("L").getextrema()[0] < 64

    unsigned = _case(app, client, kiosk, 2, until=S.completed)
    plain = _handover(unsigned, kiosk)
    assert client.post("/handovers", kiosk, json=plain).status_code == 201
    images, text = flow_card_images(app, unsigned.receipt_no)
    assert images == [] and "送达签收" not in text


def test_an_unsigned_handover_keeps_its_digest_and_bad_strokes_are_refused(app, client, kiosk):
    manifest = _case(app, client, kiosk, 3, until=S.completed)
    plain = _handover(manifest, kiosk)
    parsed = HandoverBody.parse(plain)
    assert "signature" not in parsed.model_dump(mode="json")  # as an earlier kiosk sent it
    assert content_digest(parsed) == content_digest(HandoverBody.parse({**plain, "signature": None}))

    outside = {**SIGNED, "strokes": [[[401, 10]]]}
    too_many = {**SIGNED, "strokes": [[[1, 1]]] * (MAX_STROKES + 1)}
    for bad in (outside, too_many, {**SIGNED, "strokes": []}, {**SIGNED, "width": 0}):
        answer = client.post("/handovers", kiosk, json={**plain, "signature": bad})
        assert (answer.status_code, answer.get_json()["error"]) == (422, "schema_violation")
    assert client.post("/handovers", kiosk, json=plain).status_code == 201


def test_the_png_is_the_strokes():
    png = signature_png(Signature.model_validate(SIGNED), width=200)
    image = Image.open(io.BytesIO(png))
    assert image.size == (200, 100)
    assert image.getpixel((100, 25)) < 64 and image.getpixel((10, 90)) == 255  # on the stroke / blank
