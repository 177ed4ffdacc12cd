// Reading a ticket's QR code with the camera, where the browser can: BarcodeDetector reads the
// code, ImageCapture takes the frames, and a canvas shows what the camera sees (no <video>, so
// the page's CSP needs no media source). Elsewhere the ticket code is pasted instead.

/** Frames looked at before giving up (a few seconds of camera). */
const FRAMES_MAX = 300;

/** Whether this browser can read a QR code from the camera. */
export function canScan() {
  return (
    'BarcodeDetector' in globalThis &&
    'ImageCapture' in globalThis &&
    typeof globalThis.navigator?.mediaDevices?.getUserMedia === 'function'
  );
}

/** The text of the first QR code the camera sees, drawing each frame on `canvas`. */
export async function scanQr(canvas) {
  const stream = await globalThis.navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
  });
  try {
    const [track] = stream.getVideoTracks();
    const capture = new globalThis.ImageCapture(track);
    const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    const context = canvas.getContext('2d');
    for (let frame = 0; frame < FRAMES_MAX; frame++) {
      const bitmap = await capture.grabFrame();
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      context.drawImage(bitmap, 0, 0);
      const [code] = await detector.detect(bitmap);
      bitmap.close();
      if (code) return code.rawValue;
    }
    throw new Error('No QR code seen. Paste the ticket code instead.');
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
