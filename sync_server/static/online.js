// The online zone's upload enhancement: chunked, resumable uploads with a progress bar.
// Without this script the same forms post the whole file; with it, a dropped village link
// resumes from the offset the server holds (GET /online/uploads/<id>) instead of restarting.
(function () {
  var box = document.getElementById("materials") || document.getElementById("correct");
  if (!box || !window.fetch || !window.Blob) { return; }
  var csrf = box.getAttribute("data-csrf");
  function call(method, url, body, type) {
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    if (type) { headers["Content-Type"] = type; }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { j.status = r.status; return j; }); });
  }
  function send(file, target, bar, say) {
    var base = box.getAttribute("data-uploads");
    return call("POST", base, JSON.stringify({ target: target, size: file.size, filename: file.name }), "application/json")
      .then(function (up) {
        if (up.status !== 201) { throw new Error(up.message || "上传失败"); }
        var key = "upload:" + target + ":" + file.name + ":" + file.size;
        try { localStorage.setItem(key, up.upload_id); } catch (e) { /* private mode */ }
        var url = base + "/" + up.upload_id;
        function step(offset, tries) {
          bar.value = Math.floor(100 * offset / file.size);
          var chunk = file.slice(offset, offset + up.chunk_max);
          return call("PUT", url + "?offset=" + offset, chunk, "application/octet-stream").then(function (r) {
            if (r.status === 409 && typeof r.offset === "number") { return step(r.offset, tries); }
            if (r.status !== 200) { throw new Error(r.message || "上传失败"); }
            if (r.done) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } return r; }
            return step(r.offset, 0);
          }, function () {
            if (tries >= 20) { throw new Error("网络中断，请稍后重试"); }
            say("网络不稳定，正在重新连接……");
            return new Promise(function (ok) { setTimeout(ok, 2000 * (tries + 1)); })
              .then(function () { return call("GET", url); })
              .then(function (s) { return step(s.offset, tries + 1); }, function () { return step(offset, tries + 1); });
          });
        }
        return step(0, 0);
      });
  }
  Array.prototype.forEach.call(box.querySelectorAll("form.upload"), function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input.files.length) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress"), status = form.querySelector(".upload-status");
      var requirement = form.parentNode.getAttribute("data-requirement");
      var target = form.getAttribute("data-target") || ("apply:" + box.getAttribute("data-app") + ":" + requirement);
      bar.hidden = false;
      function say(text) { status.textContent = text; }
      say("正在上传……");
      send(input.files[0], target, bar, say).then(function () { window.location.reload(); },
        function (error) { say(error.message); bar.hidden = true; });
    });
  });
  function poll() {
    call("GET", box.getAttribute("data-scans")).then(function (s) {
      if (s.reading > 0) { setTimeout(poll, 2000); } else if (document.getElementById("reading")) { window.location.reload(); }
      (s.pages || []).forEach(function (p) {
        var li = box.querySelector("li[data-job='" + p.job_id + "']");
        var bar = li && li.querySelector("progress"), label = li && li.querySelector(".status");
        if (bar) { bar.value = p.progress; }
        if (label) { label.textContent = p.stage_label; }
      });
    }, function () { setTimeout(poll, 5000); });
  }
  if (document.getElementById("reading") && box.getAttribute("data-scans")) { poll(); }
}());
