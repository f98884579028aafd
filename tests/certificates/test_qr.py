"""The QR code's image (certificates.qr.image): segno encodes, Pillow writes the PNG. The pixels must be
the ones segno's own PNG writer, which certificates used before, makes for the same code; the printed
code is decoded with zbarimg in test_rendering.py and test_offline_statement.py."""

import base64
import io

import pytest
import segno
from PIL import Image

from certificates import offline_statement, qr

from .conftest import unsaved_certificate


def _image(data_uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(data_uri[len(prefix) :])))


def _segno_writer(content: str) -> str:
    code = segno.make(content, error="m", micro=False, mask=qr.QR_MASK)
    return code.png_data_uri(scale=4, border=0, dark="#1f2433")


def _certificate_content(**overrides) -> str:
    certificate = unsaved_certificate(**overrides)
    certificate.offline_statement = offline_statement.sign(certificate)
    return qr.content(certificate)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: _certificate_content(), id="url-and-statement"),
        pytest.param(lambda: _certificate_content(holder_name="欧阳晓明", direction="新媒体营销"), id="longer-name"),
        pytest.param(lambda: qr.scan_url("Y000133000101264000001"), id="url-only"),
        pytest.param(lambda: "x", id="smallest"),
    ],
)
def test_its_pixels_are_the_ones_segnos_own_writer_makes(content):
    text = content()

    ours, segnos = _image(qr.image(text)), _image(_segno_writer(text))

    assert ours.size == segnos.size
    assert ours.convert("RGB").tobytes() == segnos.convert("RGB").tobytes()


def test_it_is_a_two_colour_image_four_pixels_a_module_without_a_border():
    text = _certificate_content()
    modules = len(segno.make(text, error="m", micro=False, mask=qr.QR_MASK).matrix)

    image = _image(qr.image(text))

    assert image.format == "PNG" and image.mode == "P"
    assert image.size == (4 * modules, 4 * modules)
    assert sorted(colour for _count, colour in image.convert("RGB").getcolors()) == [
        (0x1F, 0x24, 0x33),
        (255, 255, 255),
    ]
    # The finder pattern's dark corner: no quiet zone around the code.
    assert image.convert("RGB").getpixel((0, 0)) == (0x1F, 0x24, 0x33)
