// Loads one of the two wasm apps; `#[wasm_bindgen(start)]` mounts it. A file, not an inline
// script, so the page's Content-Security-Policy needs no 'unsafe-inline'.
//
// The field app (inspectors: search, enclaves, inspections, the device) and the office app
// (review, register, reports, imports, users, audit) are separate downloads; a page load
// gets one: the app whose path this is; for `/`, the login and other paths, the app the
// user chose last if their role may use it, else their role's app; signed out, the field
// app. The same rules are in Rust (`app_core::router::Route::app`, `app_core::shell`); a
// test compares the paths.
const OFFICE_PATHS = ['/review', '/register', '/reports', '/imports', '/audit', '/users'];
const FIELD_PATHS = ['/enclaves', '/inspections', '/device', '/logout', '/planning'];

function under(path, prefixes) {
  return prefixes.some((p) => path === p || path.startsWith(p + '/'));
}

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch (err) {
    return null;
  }
}

function role() {
  for (const key of ['ei.session', 'ei.session_ended']) {
    try {
      const value = JSON.parse(stored(key) || 'null');
      const user = value && (value.user || value);
      if (user && user.role) return user.role;
    } catch (err) {
      // Unreadable: as if signed out.
    }
  }
  return null;
}

function pick() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (under(path, OFFICE_PATHS)) return 'office';
  if (under(path, FIELD_PATHS)) return 'field';
  const who = role();
  const choice = stored('ei.app');
  if (choice === 'field' || (choice === 'office' && who && who !== 'inspector')) return choice;
  return who === 'reviewer' || who === 'admin' ? 'office' : 'field';
}

const app = pick();
import(`/${app}.js`)
  .then((module) => module.default({ module_or_path: `/${app}_bg.wasm` }))
  .catch((err) => {
    console.error(err);
    const box = document.getElementById('boot');
    if (box) box.textContent = 'De app kon niet starten. Herlaad de pagina. / The app failed to start. Reload the page.';
  });
