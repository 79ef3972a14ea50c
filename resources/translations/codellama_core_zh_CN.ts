<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>core</name>
    <message>
        <source>{path} was written by a newer version of the app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the results database {path}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The results database {path} failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HumanEval pass@1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Single-line infilling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multi-line infilling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
