"""The browser side of the journeys: a person at the browser, their screenshots, generated files."""

from io import BytesIO

from PIL import Image, ImageDraw

PASSWORD = "demo-pass-2024"
TIMEOUT_MS = 15_000


class Visitor:
    """One person at the browser: their own context and page, with screenshots numbered per journey."""

    def __init__(self, context, base_url: str, album: "Album", who: str):
        self.context, self.base_url, self.album, self.who = context, base_url, album, who
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        # Buttons with data-confirm ask first (static/js/app.js); the person says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: album.errors.append(f"{who}: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.album.errors.append(f"{self.who} on {self.page.url}: {message.text}")

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return self.page

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def log_in(self, username: str, password: str = PASSWORD):
        page = self.open("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form.form button[type=submit]")
        assert self.path() == "/", f"{username} did not reach the dashboard: {page.url}"
        assert page.locator(".userbox").is_visible()
        return page

    def submit(self, button_selector: str):
        """Click a submit button and wait for the page that answers."""
        with self.page.expect_navigation():
            self.page.click(button_selector)
        return self.page

    def shoot(self, step: str):
        self.album.shoot(self.page, f"{self.who}-{step}")


class Album:
    def __init__(self, directory):
        self.directory, self.count, self.errors = directory, 0, []

    def shoot(self, page, name: str):
        self.count += 1
        page.screenshot(path=str(self.directory / f"{self.count:02d}-{name}.png"), full_page=True)


def png_photo(path) -> str:
    """A generated 1-inch style photo (PNG, 295 × 413): a grey head and shoulders on pale blue."""
    image = Image.new("RGB", (295, 413), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((97, 70, 197, 190), fill=(120, 120, 130))
    draw.rectangle((60, 200, 235, 413), fill=(90, 90, 100))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def obj_model(path) -> str:
    """A tiny Wavefront OBJ: one triangle of a garment panel."""
    path.write_text("# coat front panel\no panel\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    return str(path)


def stylesheet_applied(page) -> bool:
    """app.css loaded with its rules, and the top bar painted with it (the browser's default is none)."""
    return page.evaluate(
        """() => {
            const sheet = Array.from(document.styleSheets).find(s => s.href && s.href.endsWith('/css/app.css'));
            if (!sheet || sheet.cssRules.length === 0) return false;
            const bar = document.querySelector('.topbar');
            return getComputedStyle(document.body).marginTop === '0px'
                && !!bar && getComputedStyle(bar).backgroundColor !== 'rgba(0, 0, 0, 0)';
        }"""
    )
