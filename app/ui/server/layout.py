"""The server window's widgets, built once; the behaviour lives in app.ui.server.window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.plain_text import plain

# Colours from the palette (a live theme switch restyles them); the warning keeps a fixed amber
# border, readable on both backgrounds, with the palette's own text colour inside. The switch is
# green while serving by a property, not `:checked`: a pseudo-state's colour is painted but never
# reaches the palette, so a contrast check (and anything else reading it) saw black on green. White
# on #166534 is 7:1.
STYLE = """
#serverSwitch { font-weight: bold; padding: 6px 18px; border-radius: 14px; border: 1px solid palette(mid); }
#serverSwitch[serving="true"] { background: #166534; color: white; border-color: #166534; }
#serverState { font-weight: bold; font-size: 14px; }
#serverWarning { border: 2px solid #d97706; border-radius: 6px; padding: 6px; }
#serverNote { color: palette(placeholder-text); }
"""


class ServerLayout(QObject):
    """Every widget of the server window, by name (a QObject for its translation context)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        root = QVBoxLayout(window)

        top = QHBoxLayout()
        self.switch = QPushButton(self.tr("Off"))
        self.switch.setObjectName("serverSwitch")
        self.switch.setCheckable(True)
        self.switch.setToolTip(self.tr("Serve the loaded model over HTTP, for editors and scripts on this machine"))
        top.addWidget(self.switch)
        self.state = plain(QLabel(self.tr("The server is off.")))
        self.state.setObjectName("serverState")
        self.state.setWordWrap(True)
        top.addWidget(self.state, 1)
        root.addLayout(top)
        self.model_note = plain(QLabel(""))
        self.model_note.setObjectName("serverNote")
        self.model_note.setWordWrap(True)
        root.addWidget(self.model_note)

        address_row = QHBoxLayout()
        address_row.addWidget(QLabel(self.tr("Address:")))
        self.address = QLineEdit()
        self.address.setReadOnly(True)
        self.address.setFont(mono)
        self.address.setPlaceholderText(self.tr("shown once the server is on"))
        address_row.addWidget(self.address, 1)
        self.copy_address = QPushButton(self.tr("Copy"))
        address_row.addWidget(self.copy_address)
        root.addLayout(address_row)

        self.options = QGroupBox(self.tr("Options (change them while the server is off)"))
        form = QFormLayout(self.options)
        where = QHBoxLayout()
        self.host = QLineEdit()
        self.host.setFont(mono)
        where.addWidget(self.host, 1)
        where.addWidget(QLabel(self.tr("Port:")))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        where.addWidget(self.port)
        form.addRow(self.tr("Listen on:"), where)
        self.warning = plain(QLabel(""))
        self.warning.setObjectName("serverWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        form.addRow(self.warning)
        key_row = QHBoxLayout()
        self.api_key = QLineEdit()
        self.api_key.setFont(mono)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("no key: any program on this machine may call"))
        key_row.addWidget(self.api_key, 1)
        self.show_key = QPushButton(self.tr("Show"))
        self.show_key.setCheckable(True)
        key_row.addWidget(self.show_key)
        self.generate_key = QPushButton(self.tr("Generate"))
        key_row.addWidget(self.generate_key)
        self.copy_key = QPushButton(self.tr("Copy"))
        key_row.addWidget(self.copy_key)
        form.addRow(self.tr("API key:"), key_row)
        self.require_key = QCheckBox(self.tr("Never start without a key (off this machine it never does)"))
        form.addRow("", self.require_key)
        self.key_note = plain(QLabel(""))
        self.key_note.setObjectName("serverNote")
        self.key_note.setWordWrap(True)
        form.addRow("", self.key_note)
        self.cors = QPlainTextEdit()
        self.cors.setFont(mono)
        self.cors.setPlaceholderText(self.tr("one origin a line, e.g. http://localhost:3000 (none: browsers may not call)"))
        self.cors.setFixedHeight(46)
        form.addRow(self.tr("CORS origins:"), self.cors)
        self.offer_repository = QCheckBox(self.tr("Offer the open repository to clients"))
        form.addRow("", self.offer_repository)
        root.addWidget(self.options)

        snippet_box = QGroupBox(self.tr("Client snippet"))
        snippet_layout = QVBoxLayout(snippet_box)
        self.snippets = QTabWidget()
        self.python_snippet = QPlainTextEdit()
        self.curl_snippet = QPlainTextEdit()
        for view, title in ((self.python_snippet, "Python (openai)"), (self.curl_snippet, "curl")):
            view.setReadOnly(True)
            view.setFont(mono)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.snippets.addTab(view, title)
        self.snippets.setFixedHeight(148)
        snippet_layout.addWidget(self.snippets)
        self.copy_snippet = QPushButton(self.tr("Copy snippet"))
        snippet_row = QHBoxLayout()
        snippet_row.addStretch(1)
        snippet_row.addWidget(self.copy_snippet)
        snippet_layout.addLayout(snippet_row)
        root.addWidget(snippet_box)

        log_box = QGroupBox(self.tr("Requests"))
        log_layout = QVBoxLayout(log_box)
        self.log = QTableView()
        self.log.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.verticalHeader().hide()
        # One line of text a row (Fusion's default leaves room for two): more of the log is in view.
        self.log.verticalHeader().setDefaultSectionSize(self.log.fontMetrics().height() + 6)
        self.log.setAlternatingRowColors(True)
        log_layout.addWidget(self.log, 1)
        log_row = QHBoxLayout()
        self.log_count = plain(QLabel(self.tr("No requests yet.")))
        self.log_count.setObjectName("serverNote")
        log_row.addWidget(self.log_count, 1)
        self.clear_log = QPushButton(self.tr("Clear"))
        log_row.addWidget(self.clear_log)
        log_layout.addLayout(log_row)
        root.addWidget(log_box, 1)

    def show_serving(self, serving: bool) -> None:
        if self.switch.property("serving") != serving:
            self.switch.setProperty("serving", serving)
            self.switch.style().unpolish(self.switch)  # a property selector is matched at polish time
            self.switch.style().polish(self.switch)

    def size_log_columns(self) -> None:
        # Widths from samples of the widest text each column shows: ResizeToContents sized them on the
        # empty table and kept that ("05…" for the time) as rows came.
        header = self.log.horizontalHeader()
        metrics = self.log.fontMetrics()
        model = self.log.model()
        samples = ("00:00:00", "OPTIONS", "", "Status", "00,000 + 0,000", "Seconds", "127.000.000.001:65535")
        for column, sample in enumerate(samples):
            if column == 2:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)  # the path takes the rest
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal)) if model is not None else ""
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + 18)
