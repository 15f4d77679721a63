// Loads the wasm app; `#[wasm_bindgen(start)]` mounts it. A file, not an inline script,
// so the page's Content-Security-Policy needs no 'unsafe-inline'.
import init from '/app.js';

init({ module_or_path: '/app_bg.wasm' }).catch((err) => {
  console.error(err);
  const box = document.getElementById('boot');
  if (box) box.textContent = 'De app kon niet starten. Herlaad de pagina. / The app failed to start. Reload the page.';
});
