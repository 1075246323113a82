
// ---- Added by `cargo xtask build` (xtask/src/split.rs): the rest of the app.
// The first part (the wasm this file instantiates) holds what the first page
// runs; the rest fills the first part's table of moved functions when
// instantiated. On a first visit (no service worker in charge yet) the app
// starts on the first part and the rest arrives in the background; the app
// waits for `globalThis.__thamgiaRest` before its other pages and its sync
// rounds. Opened again, the service worker holds both: the rest is installed
// before the app starts. A moved function called before the rest is there
// fetches it at once (a synchronous request), so nothing ever runs without
// its code.
const __rest = { url: "__REST_URL__", instance: null, resolve: null, failed: false };
globalThis.__thamgiaRest = new Promise((resolve) => {
  __rest.resolve = resolve;
});

function __restImports(exports) {
  return { p: exports };
}

function __restInstalled(instance, exports) {
  if (__rest.instance) return;
  __rest.instance = instance;
  exports["$loaded"].value = 1;
  globalThis.__thamgiaRestArrived = true;
  __rest.resolve(true);
}

function __restFailedNotice() {
  if (__rest.failed || !document.body) return;
  __rest.failed = true;
  const notice = document.createElement("div");
  notice.setAttribute("role", "alert");
  notice.className = "notice notice--error";
  notice.dataset.test = "rest-failed";
  notice.textContent =
    "Không tải được phần còn lại của ứng dụng. Hãy kết nối mạng rồi tải lại trang. / " +
    "The rest of the app could not be loaded. Connect to the network, then reload the page.";
  document.body.insertBefore(notice, document.body.firstChild);
}

function __restIsWasm(bytes) {
  const magic = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return magic.length === 4 && magic[0] === 0 && magic[1] === 0x61 && magic[2] === 0x73 && magic[3] === 0x6d;
}

// Called by a moved function's stub when the rest is not there yet.
function __restLoadNow() {
  if (__rest.instance) return;
  try {
    const request = new XMLHttpRequest();
    request.open("GET", __rest.url, false);
    request.overrideMimeType("text/plain; charset=x-user-defined");
    request.send();
    if (request.status !== 200) throw new Error("HTTP " + request.status);
    const text = request.responseText;
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    if (!__restIsWasm(bytes.buffer)) throw new Error("not a WebAssembly module");
    __restInstalled(new WebAssembly.Instance(new WebAssembly.Module(bytes), __restImports(wasm)), wasm);
  } catch (error) {
    // The stack names the function of the rest that was called.
    console.error("[thamgia] the rest of the app was needed and could not be loaded", error, new Error().stack);
    __restFailedNotice();
    throw error;
  }
}

// One try: fetch, check and install the rest. A try after the first bypasses
// the HTTP cache: it may hold what the server answered for a file it did not
// have yet (its page), which a revalidation would keep.
async function __restFetch(exports, attempt) {
  // A connection that never answers is given up after two minutes (620 KB
  // take about 50 s at 100 kbit/s), and tried again.
  const response = await fetch(__rest.url, {
    credentials: "same-origin",
    cache: attempt === 0 ? "default" : "no-store",
    signal: typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(120000) : undefined,
  });
  if (!response.ok) throw new Error("HTTP " + response.status);
  const bytes = await response.arrayBuffer();
  if (!__restIsWasm(bytes)) throw new Error("not a WebAssembly module");
  if (__rest.instance) return;
  const { instance } = await WebAssembly.instantiate(bytes, __restImports(exports));
  __restInstalled(instance, exports);
}

// Tries again, at most every 30 s, while the network is away.
async function __restLoadSoon(exports, attempt) {
  for (; !__rest.instance; attempt++) {
    try {
      await __restFetch(exports, attempt);
    } catch (error) {
      if (__rest.instance) return;
      console.warn("[thamgia] the rest of the app did not arrive; trying again", error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(30000, 1000 * 2 ** attempt)));
    }
  }
}

// Run once the first part is instantiated, before the app starts.
async function __restBeforeStart(exports) {
  const kept = typeof navigator !== "undefined" && navigator.serviceWorker && navigator.serviceWorker.controller;
  if (kept) {
    try {
      await __restFetch(exports, 0);
      return;
    } catch (error) {
      console.warn("[thamgia] the rest of the app is not where the app was kept", error);
    }
  }
  __restLoadSoon(exports, kept ? 1 : 0);
}
