// Firmament console behaviour: progressive enhancement only; every form also works as a plain form.
(function () {
  "use strict";

  function charts(root) {
    if (typeof Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      var config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new Chart(canvas, config);
    });
  }

  function dropzones(root) {
    root.querySelectorAll(".dropzone").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      var label = zone.querySelector("[data-file-name]");
      function show() { if (label) { label.textContent = input.files.length ? input.files[0].name : ""; } }
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
      });
    });
  }

  function confirmations(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.hasAttribute("hx-post")) { return; }
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
      });
    });
  }

  function selectAll(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll("input[name=mac][type=checkbox]").forEach(function (c) { c.checked = box.checked; });
      });
    });
  }

  // Copy buttons name the element whose text they copy (data-copy="id"). The clipboard API needs a secure context
  // (https or localhost); on plain http elsewhere the text is selected and copied the old way.
  function copyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var text = source.textContent;
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectAndCopy(source) && done(); });
        } else if (selectAndCopy(source)) {
          done();
        }
      });
    });
  }

  function selectAndCopy(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = document.getElementById("upload-progress");
    if (bar && e.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round(e.detail.loaded * 100 / e.detail.total);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(function (root) { charts(root); dropzones(root); confirmations(root); selectAll(root); copyButtons(root); });
  });
})();
