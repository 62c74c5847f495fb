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
/* narrow screens (800 px): a narrower sidebar (it still collapses with its << button), smaller numbers */
@media (max-width: 900px) {
  section[data-testid="stSidebar"] { width: 220px !important; min-width: 220px !important; }
  [data-testid="stMetricValue"] { font-size: 1.05rem; }
  [data-testid="stMainBlockContainer"] { padding: .8rem .8rem; }
}
</style>
"""
