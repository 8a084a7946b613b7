// Reads an attendance card's QR code with the camera where the browser can (the BarcodeDetector
// API), and submits the scan form with what it read. Without it, typing the code still works.

const form = document.getElementById('scan-form')
const camera = document.getElementById('camera')

if (form && camera && 'BarcodeDetector' in window && navigator.mediaDevices?.getUserMedia) {
  const start = document.getElementById('camera-start')
  const video = document.getElementById('camera-video')
  const status = document.getElementById('camera-status')
  const scanned = document.getElementById('scanned')
  camera.hidden = false

  start.addEventListener('click', async () => {
    let stream
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats()
      if (!formats.includes('qr_code')) throw new Error('no QR support')
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] })
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } })
      video.srcObject = stream
      video.hidden = false
      start.hidden = true
      await video.play()
      status.textContent = 'Hold the card’s QR code in front of the camera.'
      const look = async () => {
        const codes = await detector.detect(video).catch(() => [])
        if (codes.length > 0) {
          scanned.value = codes[0].rawValue
          status.textContent = 'Card read. Recording attendance…'
          for (const track of stream.getTracks()) track.stop()
          form.submit()
          return
        }
        window.setTimeout(() => void look(), 250)
      }
      void look()
    } catch {
      if (stream) for (const track of stream.getTracks()) track.stop()
      video.hidden = true
      status.textContent = 'The camera could not be used. Type the code under the QR code instead.'
    }
  })
}
