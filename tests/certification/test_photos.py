"""The photo upload check and the placeholder photo (certification.photos)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from certification.photos import checked_photo, make_placeholder_photo

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(image_format="JPEG", size=(295, 413), mode="RGB", name="photo.jpg", **save_options) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new(mode, size, "white" if mode != "RGBA" else (0, 0, 0, 0)).save(output, format=image_format, **save_options)
    return SimpleUploadedFile(name, output.getvalue())


def message_of(error: ValidationError) -> str:
    return error.messages[0]


def test_a_jpeg_is_kept_as_jpeg_and_a_png_as_png():
    assert Image.open(checked_photo(upload("JPEG"))).format == "JPEG"
    png = checked_photo(upload("PNG", name="photo.jpg"))
    assert Image.open(png).format == "PNG" and png.name == "photo.png"


def test_the_type_comes_from_the_content_not_the_name():
    with pytest.raises(ValidationError) as error:
        checked_photo(SimpleUploadedFile("photo.jpg", b"GIF is not here, just text" * 10))
    assert message_of(error.value) == "This file is not a photo: upload a JPEG or PNG image."


def test_other_image_types_are_refused_by_name():
    with pytest.raises(ValidationError) as error:
        checked_photo(upload("GIF", name="photo.png"))
    assert message_of(error.value) == "Only JPEG and PNG photos are accepted; this one is GIF."


def test_a_truncated_file_is_refused():
    whole = upload("PNG").read()
    with pytest.raises(ValidationError):
        checked_photo(SimpleUploadedFile("photo.png", whole[: len(whole) // 2]))


def test_it_refuses_a_photo_over_the_byte_limit(settings):
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        checked_photo(upload("PNG"))
    assert "it may be at most 100\xa0bytes" in message_of(error.value)


def test_it_refuses_photos_too_small_or_too_large_in_pixels(settings):
    settings.PHOTO_MAX_PIXELS = (1000, 1000)
    with pytest.raises(ValidationError) as small:
        checked_photo(upload(size=(119, 413)))
    with pytest.raises(ValidationError) as large:
        checked_photo(upload(size=(800, 1200)))
    assert message_of(small.value) == "The photo is 119 × 413 pixels; it needs at least 120 × 160."
    assert message_of(large.value) == "The photo is 800 × 1200 pixels; it may be at most 1000 × 1000."


def test_it_strips_exif_including_the_location():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera 1.0"  # Software
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)})
    original = upload(exif=exif.tobytes())
    assert Image.open(io.BytesIO(original.read())).getexif().get_ifd(GPS_IFD)
    cleaned = Image.open(checked_photo(original))
    assert not cleaned.getexif()
    assert "exif" not in cleaned.info


def test_it_turns_the_photo_upright_before_dropping_the_orientation_tag():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    cleaned = Image.open(checked_photo(upload(size=(413, 295), exif=exif.tobytes())))
    assert cleaned.size == (295, 413)


def test_a_transparent_png_gets_a_white_background():
    cleaned = Image.open(checked_photo(upload("PNG", mode="RGBA", name="photo.png")))
    assert cleaned.mode == "RGB" and cleaned.getpixel((0, 0)) == (255, 255, 255)


def test_the_placeholder_is_a_one_inch_png():
    photo = make_placeholder_photo("张晓明")
    image = Image.open(photo)
    assert photo.name.endswith(".png")
    assert (image.format, image.size) == ("PNG", (295, 413))


def test_the_placeholder_passes_the_upload_check():
    photo = make_placeholder_photo("")
    assert Image.open(checked_photo(SimpleUploadedFile("p.png", photo.read()))).size == (295, 413)


def test_the_placeholder_shows_a_silhouette_on_a_pale_background():
    image = Image.open(make_placeholder_photo("")).convert("RGB")
    corner, chest = image.getpixel((5, 5)), image.getpixel((40, 400))
    assert min(corner) > 200  # pale
    assert sum(chest) < sum(corner) - 100  # darker figure
