// Review keyboard shortcuts and page zoom. Keys act only when no form field has the focus.
(() => {
  const images = document.getElementById("page-images");
  let zoom = 1;
  const applyZoom = () => images?.querySelectorAll("img").forEach(img => { img.style.width = `${zoom * 100}%`; });
  const setZoom = z => { zoom = Math.min(4, Math.max(0.5, z)); applyZoom(); };
  document.getElementById("zoom-in")?.addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out")?.addEventListener("click", () => setZoom(zoom / 1.25));
  document.getElementById("zoom-fit")?.addEventListener("click", () => setZoom(1));

  const submit = id => { const form = document.getElementById(id); if (form) { form.requestSubmit(); return true; } return false; };
  let busy = false;  // one decision per record: a second key press must not post twice
  document.addEventListener("keydown", event => {
    const tag = event.target.tagName;
    if (busy || event.ctrlKey || event.metaKey || event.altKey || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(tag)) {
      return;
    }
    let done = false;
    switch (event.key) {
      case "Enter": done = busy = submit("confirm"); break;
      case "1": case "2": case "3": done = busy = submit(`choose-${event.key}`); break;
      case "r": done = busy = submit("rescan"); break;
      case "a": done = busy = submit("accept-capture"); break;
      case "t": document.getElementById("other-type")?.focus(); done = true; break;
      case "s": { const skip = document.getElementById("skip"); if (skip) { busy = true; window.location.href = skip.href; done = true; } break; }
      case "+": case "=": setZoom(zoom * 1.25); done = true; break;
      case "-": setZoom(zoom / 1.25); done = true; break;
      case "0": setZoom(1); done = true; break;
    }
    if (done) event.preventDefault();
  });
})();
