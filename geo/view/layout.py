"""Page layout CSS: the map first, compact headline numbers, readable at 800 px wide."""

LAYOUT_CSS = """
<style>
/* less empty space above the map: the map should start in the first screen */
.block-container, [data-testid="stMainBlockContainer"] { padding: 1rem 1.5rem 1rem 1.5rem; }
[data-testid="stMetric"] { padding: 0; }
[data-testid="stMetricValue"] { font-size: 1.35rem; line-height: 1.3; }
[data-testid="stMetricLabel"] p { font-size: .8rem; }
[data-testid="stVerticalBlock"] { gap: .6rem; }
/* buttons keep whole words: never "G. C. G." on a narrow screen */
[data-testid="stDownloadButton"] button, .stButton button { white-space: nowrap; min-width: max-content; }
label, [data-testid="stWidgetLabel"] p { word-break: normal; overflow-wrap: normal; hyphens: manual; }
/* narrow screens (800 px): the sidebar starts collapsed (NARROW_SIDEBAR_JS), is narrower when opened,
   smaller numbers */
@media (max-width: 900px) {
  section[data-testid="stSidebar"][data-collapsed="false"] { width: 220px !important; min-width: 220px !important; }
  [data-testid="stMetricValue"] { font-size: 1.05rem; }
  [data-testid="stMainBlockContainer"] { padding: .8rem .8rem; }
}
</style>
"""

# Streamlit collapses the sidebar by itself only under 768 px ("auto"); at 800 px an open sidebar
# leaves the map half the screen. So on a narrow window the page collapses it once, on load (the
# analyst can open it again with its >> button; later reruns leave it as they set it).
NARROW_MAX_WIDTH = 900
NARROW_SIDEBAR_JS = """
<script>
(function () {
  var w = window;
  if (w.__sidebarWidthChecked) { return; }
  w.__sidebarWidthChecked = true;
  if (w.innerWidth > NARROW_MAX_WIDTH) { return; }
  var tries = 0;
  (function collapse() {
    var bar = w.document.querySelector('section[data-testid="stSidebar"]');
    var button = w.document.querySelector('button[aria-label="Collapse sidebar"]');
    if (bar && bar.getAttribute('data-collapsed') === 'true') { return; }
    if (bar && button) { button.click(); return; }
    if (++tries < 100) { setTimeout(collapse, 100); }
  })();
})();
</script>
""".replace("NARROW_MAX_WIDTH", str(NARROW_MAX_WIDTH))
