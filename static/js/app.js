// Charts: every <canvas data-chart="id-of-json-script"> is drawn from the JSON it names; one with
// data-chart-rows="n" (horizontal bars) gets a box tall enough for n bars.
function drawCharts(root) {
  if (typeof Chart === "undefined") return;
  root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    if (canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    canvas.dataset.drawn = "1";
    var rows = parseInt(canvas.dataset.chartRows, 10);
    if (rows > 0) canvas.parentElement.style.height = Math.max(240, 90 + 30 * rows) + "px";
    new Chart(canvas, JSON.parse(source.textContent));
  });
}

document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });

// Keyboard shortcuts: an element with data-key="n ArrowRight" is followed (a link) or focused
// (anything else) on one of those keys, unless the user is typing in a field.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
  var target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  var found = Array.prototype.find.call(document.querySelectorAll("[data-key]"), function (element) {
    return element.dataset.key.split(" ").indexOf(event.key) !== -1;
  });
  if (!found) return;
  event.preventDefault();
  if (found.tagName === "A") { window.location.href = found.href; } else { found.focus(); }
});
