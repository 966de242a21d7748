"""Camera scanning at the counter in Chromium: the fake camera films a QR code (a Y4M video
made here from the code the member's phone shows), the page reads it with the vendored
decoder and opens the member or the coupon, as a USB scanner would."""

import io

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupons
from memberportal.members.queries import card_code_for
from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_foundation import staff_sign_in
from tests.coupon_helpers import coupons_of, template

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 640, 480


def y4m_of(payload: str, path) -> str:
    """A few grey frames of a camera looking at `payload`'s QR code, in the raw video format
    Chromium's fake camera plays."""
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=10, border=4)
    code = Image.open(buffer).convert("L")
    side = min(HEIGHT - 40, code.width)
    frame = Image.new("L", (WIDTH, HEIGHT), 200)
    frame.paste(code.resize((side, side)), ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return str(path)


@pytest.fixture
def counter_with_camera(browser, live_server, tmp_path):
    """A counter tablet whose camera films what `film(payload)` is given."""
    opened = []

    def film(payload: str):
        video = y4m_of(payload, tmp_path / f"camera{len(opened)}.y4m")
        camera = [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        chromium = browser.browser_type.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera]
        )
        opened.append(chromium)
        context = chromium.new_context(
            viewport={"width": 1024, "height": 768}, locale="zh-CN", base_url=live_server
        )
        context.grant_permissions(["camera"])
        context.set_default_timeout(10_000)
        return context.new_page()

    yield film
    for chromium in opened:
        chromium.close()


def test_the_till_opens_the_member_from_the_cameras_view_of_the_card(counter_with_camera):
    member = factories.member(contact="13900000931")
    cashier = factories.staff("cashier")
    tablet = counter_with_camera(card_code_for(member, utcnow()).code)
    staff_sign_in(tablet, cashier)
    tablet.goto("/merchant/purchases/till")
    tablet.get_by_test_id("scan-start").click()
    expect(tablet.get_by_test_id("checkout")).to_be_visible()
    assert tablet.url.endswith(f"/merchant/purchases/member/{member.id}")
    expect(tablet.get_by_test_id("confirm-phone")).to_have_count(0)  # the code identified


def test_the_write_off_page_finds_the_coupon_from_the_camera(counter_with_camera):
    member = factories.member(contact="13900000932")
    made = template(tier_id=factories.tier("VIP1").id, amount_cents=800, min_spend_cents=0)
    coupons.issue_tier_coupons(member.id, utcnow())
    coupon = next(c for c in coupons_of(member.id) if c.template_id == made.id)
    tablet = counter_with_camera(coupon.code)
    staff_sign_in(tablet, factories.staff("cashier"))
    tablet.goto("/merchant/coupons/write-off")
    tablet.get_by_test_id("scan-start").click()
    expect(tablet.get_by_test_id("found-coupon")).to_be_visible()
    expect(tablet.get_by_test_id("coupon-member")).to_contain_text(member.member_no)


def test_without_a_camera_api_the_button_stays_hidden(desk):
    desk.add_init_script("Object.defineProperty(navigator, 'mediaDevices', {value: undefined})")
    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/purchases/till")
    expect(desk.locator("#q")).to_be_visible()
    expect(desk.get_by_test_id("camera-scan")).to_be_hidden()


def test_a_refused_camera_says_so_and_the_box_still_works(desk):
    member = factories.member(contact="13900000933")
    desk.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new Error('denied'))"
    )
    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/purchases/till")
    desk.get_by_test_id("scan-start").click()
    expect(desk.get_by_test_id("scan-status")).to_have_text(
        "无法打开摄像头。请输入号码或使用扫码枪。"
    )
    desk.fill("#q", card_code_for(member, utcnow()).code)
    desk.keyboard.press("Enter")
    expect(desk.get_by_test_id("checkout")).to_be_visible()
