/**
 * Reading a ballot paper's QR code with the laptop's camera: getUserMedia into a <video>, frames
 * drawn on a canvas, jsqr (loaded only when the camera starts, so no other page carries it)
 * decodes each frame. Calls `onText` with each decoded text; the caller decides whether it is a
 * paper code (parsePaperCode) and stops the scan.
 */
export interface QrScan {
  stop(): void;
}

export async function startQrScan(video: HTMLVideoElement, onText: (text: string) => void): Promise<QrScan> {
  const [{ default: jsQR }, stream] = await Promise.all([
    import('jsqr'),
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment', width: { ideal: 1280 } }, audio: false }),
  ]);
  video.srcObject = stream;
  video.setAttribute('playsinline', 'true');
  video.muted = true;
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    if (stopped) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
      if (found?.data) onText(found.data);
    }
    // About five frames a second: enough to feel instant, light on a 2-core laptop.
    timer = setTimeout(tick, 200);
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
    },
  };
}
