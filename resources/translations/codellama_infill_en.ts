<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>EditorDocument</name>
    <message numerus="yes">
        <source>Opened {path} ({count} lines).</source>
        <translation>
            <numerusform>Opened {path} ({count} line).</numerusform>
            <numerusform>Opened {path} ({count} lines).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InfillPane</name>
    <message numerus="yes">
        <source>With %n snippet(s) from the open repository: {paths}</source>
        <translation>
            <numerusform>With %n snippet from the open repository: {paths}</numerusform>
            <numerusform>With %n snippets from the open repository: {paths}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Suggested %n tokens; Tab accepts, Esc rejects.</source>
        <translation>
            <numerusform>Suggested %n token; Tab accepts, Esc rejects.</numerusform>
            <numerusform>Suggested %n tokens; Tab accepts, Esc rejects.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Suggested {summary} (%n tokens); Ctrl+Shift+Enter applies, Esc discards.</source>
        <translation>
            <numerusform>Suggested {summary} (%n token); Ctrl+Shift+Enter applies, Esc discards.</numerusform>
            <numerusform>Suggested {summary} (%n tokens); Ctrl+Shift+Enter applies, Esc discards.</numerusform>
        </translation>
    </message>
</context>
</TS>
