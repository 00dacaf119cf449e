// The desk's only script: uploads dropped files one by one so that each
// row appears as its file is checked, copies values to the clipboard, and
// prints the evidence report. It sets textContent only, never HTML: a
// file's name or fields cannot become markup.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const token = csrf ? csrf.getAttribute("content") : "";

  function cell(row, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text == null ? "—" : text;
    row.appendChild(td);
    return td;
  }

  function verdictClass(v) {
    if (v === "authentic") return "v-authentic";
    if (v === "unsigned") return "v-unsigned";
    if (v === "malformed") return "v-malformed";
    return "v-bad";
  }

  async function post(url, body, type) {
    const headers = { "x-csrf-token": token };
    if (type) headers["content-type"] = type;
    return fetch(url, { method: "POST", headers, body, credentials: "same-origin" });
  }

  async function checkFiles(files) {
    const table = document.getElementById("rows");
    if (!table || files.length === 0) return;
    const tbody = table.querySelector("tbody");
    const bar = document.getElementById("bar");
    const text = document.getElementById("progress-text");
    const error = document.getElementById("batch-error");
    const progress = document.getElementById("progress");
    error.hidden = true;
    const opened = await post("/api/batches", JSON.stringify({ count: files.length }), "application/json");
    const batch = await opened.json().catch(() => ({}));
    if (!opened.ok) {
      error.textContent = batch.error || String(opened.status);
      error.hidden = false;
      return;
    }
    progress.hidden = false;
    bar.max = files.length;
    bar.value = 0;
    let done = 0;
    const show = () => {
      bar.value = done;
      text.textContent = table.dataset.done + " " + done + " / " + files.length;
    };
    show();
    // Two uploads at a time: rows keep coming while the server checks.
    const queue = Array.from(files);
    async function worker() {
      while (queue.length > 0) {
        const file = queue.shift();
        const tr = document.createElement("tr");
        try {
          if (file.size > batch.max_file_bytes) throw new Error("too large");
          const url = "/api/batches/" + encodeURIComponent(batch.batch) +
            "/files?name=" + encodeURIComponent(file.name);
          const res = await post(url, file, "application/pdf");
          const row = await res.json();
          if (!res.ok) throw new Error(row.error || String(res.status));
          tr.className = "row " + verdictClass(row.verdict);
          tr.dataset.verdict = row.verdict;
          const v = cell(tr, "", "verdict");
          const pill = document.createElement("span");
          pill.className = "pill " + verdictClass(row.verdict);
          pill.textContent = row.verdict_word;
          pill.title = row.headline;
          v.appendChild(pill);
          const f = cell(tr, "", "file");
          const a = document.createElement("a");
          a.href = row.url;
          a.textContent = row.file_name;
          f.appendChild(a);
          cell(tr, row.name);
          cell(tr, row.management_number);
          cell(tr, row.qualification);
          cell(tr, row.next_step, "next");
        } catch (e) {
          tr.className = "row failed";
          cell(tr, table.dataset.failed, "verdict");
          cell(tr, file.name, "file");
          cell(tr, String(e.message || e));
          cell(tr, null);
          cell(tr, null);
          cell(tr, null);
        }
        tbody.appendChild(tr);
        done += 1;
        show();
      }
    }
    await Promise.all([worker(), worker()]);
  }

  function setUpDrop() {
    const zone = document.getElementById("drop");
    const picker = document.getElementById("picker");
    if (!zone || !picker) return;
    // The FileList is live: copied before the picker is cleared (and,
    // for a drop, before the event ends), or the batch would be empty.
    picker.addEventListener("change", () => {
      const files = Array.from(picker.files || []);
      picker.value = "";
      checkFiles(files);
    });
    ["dragenter", "dragover"].forEach((name) =>
      zone.addEventListener(name, (e) => {
        e.preventDefault();
        zone.classList.add("over");
      })
    );
    ["dragleave", "drop"].forEach((name) =>
      zone.addEventListener(name, () => zone.classList.remove("over"))
    );
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer) checkFiles(Array.from(e.dataTransfer.files));
    });
  }

  function setUpCopy() {
    document.querySelectorAll("button.copy").forEach((b) =>
      b.addEventListener("click", async () => {
        const value = b.dataset.copy || "";
        try {
          await navigator.clipboard.writeText(value);
        } catch (e) {
          // Without clipboard access, select the value for Ctrl+C.
          const code = b.closest("tr") && b.closest("tr").querySelector("code");
          if (code) window.getSelection().selectAllChildren(code);
        }
        b.classList.add("copied");
      })
    );
  }

  function setUpPrint() {
    const p = document.getElementById("print");
    if (p) p.addEventListener("click", () => window.print());
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpDrop();
    setUpCopy();
    setUpPrint();
  });
  // For tests and for people who script the desk: check these files.
  window.certcheckCheckFiles = checkFiles;
})();
