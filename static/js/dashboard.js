/* The dashboard's charts (Chart.js, vendored): each canvas names the json_script element holding its
   bars ({label, count, amount, amount_shown, url}); clicking a bar opens the list filtered to the
   rows it counts. The figures are also in a visually-hidden table next to each chart. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var byCount = chart.unit === "count";
    var bars = chart.bars;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: bars.map(function (b) { return b.label; }),
        datasets: [{
          label: byCount ? "Records" : "Amount",
          data: bars.map(function (b) { return byCount ? b.count : parseFloat(b.amount); }),
          backgroundColor: "rgba(13, 110, 253, 0.7)",
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                var bar = bars[item.dataIndex];
                return bar.count + " record" + (bar.count === 1 ? "" : "s") + " · " + bar.amount_shown;
              },
            },
          },
        },
        scales: { y: { beginAtZero: true, ticks: byCount ? { precision: 0 } : {} } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (elements.length) {
            window.location.assign(bars[elements[0].index].url);
          }
        },
      },
    });
    canvas.dataset.ready = "1";
  });
})();
