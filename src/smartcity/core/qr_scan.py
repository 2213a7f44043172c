"""Read QR codes the way a phone camera would: render the PDF pages to pixels and decode them.

Test and tooling helper; needs the dev requirements (pypdfium2, zxing-cpp). Tests use it to prove that the
printed QR code itself, not only the data we meant to put into it, carries a verifiable token.
"""

import pypdfium2
import zxingcpp


def qr_codes_in_pdf(pdf: bytes, *, dpi: int = 200) -> list[str]:
    """The text of every QR code on every page, in page order."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        found: list[str] = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil()
            found += [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
        return found
    finally:
        document.close()
