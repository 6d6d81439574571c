// Small browser helpers for the dashboard (loaded from this server: the CSP allows no inline script).
window.clDashboard = {
    // The chosen theme, kept in a cookie so the server renders the next visit in it from the first paint (no flash).
    saveTheme: function (dark) {
        document.cookie = "theme=" + (dark ? "dark" : "light") + "; path=/; max-age=31536000; samesite=lax";
    },

    // Enlarges the chart card holding the button to the whole window (a projector's view) or puts it back: the card
    // gets the chart-enlarged class and every Plotly chart in it is resized to fill it. Live charts are relaid out by
    // the server with their normal height; while enlarged, each such relayout is answered with the large size again.
    enlarge: function (button, on) {
        var card = button && button.closest(".chart-card");
        if (!card || !window.Plotly) return;
        card.classList.toggle("chart-enlarged", on);
        card.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
            if (on) {
                if (plot.dataset.normalHeight === undefined) plot.dataset.normalHeight = plot.style.height;
                clDashboard.fill(card, plot);
                if (!plot.dataset.keepsEnlarged) {
                    plot.dataset.keepsEnlarged = "1";
                    var refill = function () { if (card.classList.contains("chart-enlarged")) clDashboard.fill(card, plot); };
                    plot.on("plotly_relayout", refill);
                    plot.on("plotly_react", refill);
                }
            } else if (plot.dataset.normalHeight !== undefined) {
                plot.style.height = plot.dataset.normalHeight;
                delete plot.dataset.normalHeight;
                window.Plotly.relayout(plot, { height: parseFloat(plot.style.height) || null, width: null, autosize: true });
            }
        });
    },

    // Sizes one chart to fill the enlarged card below its title row, unless it already has that size.
    fill: function (card, plot) {
        var above = plot.getBoundingClientRect().top - card.getBoundingClientRect().top;
        var height = Math.max(200, Math.floor(card.clientHeight - above - 16));
        var width = card.clientWidth - 24;
        if (plot.layout && plot.layout.height === height && plot.layout.width === width) return;
        plot.style.height = height + "px";
        window.Plotly.relayout(plot, { height: height, width: width });
    }
};
