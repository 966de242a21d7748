"""The manifest and the service worker as the browser fetches them."""


def test_the_manifest_names_the_brand_and_opens_the_card(client, app):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == app.config["BRAND_NAME"]
    assert manifest["start_url"] == "/card" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_worker_is_served_from_the_root_and_linked_from_member_pages(member_web):
    worker = member_web.get("/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    assert b'const CARD = "/card"' in worker.data
    card = member_web.get("/card").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in card
    assert 'data-sw="/sw.js"' in card
