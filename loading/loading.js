// The loading line of both apps' index.html, inlined by Trunk at the top
// of <body>: while the app arrives, how much of it has come (the
// WebAssembly is read through a counting stream), and what to do if it
// cannot come. The app takes the line away when it mounts.
(function () {
  var line = document.createElement("div");
  line.id = "app-loading";
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  line.innerHTML =
    '<p lang="vi">Đang tải Tham Gia…</p>' +
    '<p lang="en">Loading Tham Gia…</p>' +
    '<progress id="app-loading-bar" max="1" aria-label="Đang tải / Loading"></progress>' +
    '<p id="app-loading-figure" aria-hidden="true"></p>' +
    '<p id="app-loading-slow" hidden>Mạng chậm, vẫn đang tải. / The connection is slow; still loading.</p>' +
    '<p class="app-loading-failed" hidden>Không tải được ứng dụng. Hãy kiểm tra mạng rồi tải lại. / The app could not load. Check the connection, then reload.</p>' +
    '<a href="" hidden>Tải lại / Reload</a>';
  document.body.insertBefore(line, document.body.firstChild);

  var received = 0;
  var total = 0;
  var fetchBefore = window.fetch;
  function element(id) { return document.getElementById(id); }
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB"; }
  function show() {
    var progress = element("app-loading-bar");
    var figure = element("app-loading-figure");
    if (!progress || !figure) return;
    if (total > 0) {
      var share = Math.min(received / total, 0.99);
      progress.value = share;
      figure.textContent = Math.floor(share * 100) + " %";
    } else {
      figure.textContent = megabytes(received);
    }
  }
  function failed() {
    var line = element("app-loading");
    if (!line) return;
    line.querySelector(".app-loading-failed").hidden = false;
    line.querySelector("a").hidden = false;
  }
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || String(input);
    var answer = fetchBefore.call(window, input, init);
    if (!/\.wasm(\?|$)/.test(url)) return answer;
    return answer.then(function (response) {
      if (!response.ok || !response.body || !window.ReadableStream) return response;
      var length = Number(response.headers.get("content-length"));
      if (length > 0 && !response.headers.get("content-encoding")) total += length;
      var reader = response.body.getReader();
      var counted = new ReadableStream({
        pull: function (controller) {
          return reader.read().then(function (part) {
            if (part.done) {
              window.fetch = fetchBefore;
              controller.close();
              return;
            }
            received += part.value.byteLength;
            show();
            controller.enqueue(part.value);
          });
        },
      });
      return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
    }, function (error) { failed(); throw error; });
  };
  window.addEventListener("unhandledrejection", failed);
  setTimeout(function () {
    var slow = element("app-loading-slow");
    if (slow && element("app-loading")) slow.hidden = false;
  }, 20000);
})();
