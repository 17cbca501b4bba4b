// The Billing tabs, Build Credits and Cloud Credits, as WAI-ARIA tabs
// (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): one tab stop, arrow keys
// and Home/End move between tabs and select them (automatic activation).

/**
 * Wires the `[role="tab"]` buttons of `#billing-tabs` to the panels they
 * control. Returns `{ select(panelId, { focus }) }` to show a panel from code.
 */
export function setUpBillingTabs() {
  const list = document.getElementById('billing-tabs');
  const tabs = [...list.querySelectorAll('[role="tab"]')];

  const select = (panelId, { focus = false } = {}) => {
    const chosen = tabs.find((tab) => tab.getAttribute('aria-controls') === panelId);
    if (!chosen) return;
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
    }
    if (focus) chosen.focus();
  };

  list.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab.getAttribute('aria-controls'));
  });
  list.addEventListener('keydown', (event) => {
    const at = tabs.indexOf(document.activeElement);
    const next = {
      ArrowRight: (at + 1) % tabs.length,
      ArrowLeft: (at - 1 + tabs.length) % tabs.length,
      Home: 0,
      End: tabs.length - 1,
    }[event.key];
    if (at < 0 || next === undefined) return;
    event.preventDefault();
    select(tabs[next].getAttribute('aria-controls'), { focus: true });
  });

  return { select };
}
